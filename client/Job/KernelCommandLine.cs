namespace EzioPxe.Client.Job;

/// <summary>
/// Splits a kernel command line (<c>/proc/cmdline</c>) into parameters the way the kernel itself
/// does (lib/cmdline.c, <c>next_arg</c>), so that we see the same values the kernel saw.
/// </summary>
public static class KernelCommandLine
{
    /// <summary>
    /// Parses <paramref name="text"/>. Parameters are separated by white space; a double quote
    /// anywhere toggles "inside quotes" so that spaces do not split (<c>key="a b"</c> and
    /// <c>"key=a b"</c> both give <c>key</c> = <c>a b</c>). As in the kernel, only the quote that opens
    /// the value (or the whole parameter) and the one that ends the parameter are removed. A lone
    /// <c>--</c> ends the kernel's parameters: what follows is for init, not for us.
    /// </summary>
    public static List<KernelParameter> Parse(ReadOnlySpan<char> text)
    {
        var parameters = new List<KernelParameter>();
        var position = 0;
        while (true)
        {
            while (position < text.Length && IsSpace(text[position]))
            {
                position++;
            }
            if (position >= text.Length)
            {
                return parameters;
            }

            var start = position;
            var quoted = false;
            if (text[start] == '"')
            {
                start++;
                quoted = true;
            }
            var inQuote = quoted;
            var equals = -1;
            var end = start;
            for (; end < text.Length; end++)
            {
                var c = text[end];
                if (IsSpace(c) && !inQuote)
                {
                    break;
                }
                if (equals < 0 && c == '=')
                {
                    equals = end;
                }
                if (c == '"')
                {
                    inQuote = !inQuote;
                }
            }
            position = end;

            // The kernel strips the parameter's last character when it is a quote and either the
            // whole parameter or its value began with one.
            var stripLastQuote = end > start && text[end - 1] == '"';
            if (equals < 0)
            {
                if (!quoted && text[start..end] is "--")
                {
                    return parameters;
                }
                var flagEnd = quoted && stripLastQuote ? end - 1 : end;
                parameters.Add(new KernelParameter(text[start..flagEnd].ToString(), null));
                continue;
            }
            var name = text[start..equals].ToString();
            var valueStart = equals + 1;
            var valueEnd = end;
            var valueQuoted = valueStart < end && text[valueStart] == '"';
            if (valueQuoted)
            {
                valueStart++;
            }
            if ((valueQuoted || quoted) && stripLastQuote && valueEnd > valueStart)
            {
                valueEnd--;
            }
            parameters.Add(new KernelParameter(name, text[valueStart..Math.Max(valueStart, valueEnd)].ToString()));
        }
    }

    /// <summary>The kernel's isspace(): space, \t, \n, \v, \f, \r (/proc/cmdline ends with \n).</summary>
    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
