namespace EzioPxe.Client;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("eziopxe-client: no job yet");
        return args.Length == 0 ? 2 : 2;
    }
}
