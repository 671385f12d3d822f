namespace EzioPxe.Imaging;

/// <summary>
/// An on-disk structure is damaged, unsupported or cut off. The message names the structure and
/// what is wrong with it, because it is printed to the administrator as is.
/// </summary>
public sealed class DiskFormatException : Exception
{
    public DiskFormatException(string message) : base(message)
    {
    }

    public DiskFormatException(string message, Exception inner) : base(message, inner)
    {
    }

    public DiskFormatException()
    {
    }
}
