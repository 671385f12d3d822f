namespace EzioPxe.Server;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("eziopxe: no command yet");
        return args.Length == 0 ? 2 : 2;
    }
}
