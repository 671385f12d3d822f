namespace EzioPxe.Client.Job;

/// <summary>One parameter of the kernel command line: <c>name=value</c>, or a flag (<see cref="Value"/> null) when it has no '='.</summary>
public readonly record struct KernelParameter(string Name, string? Value)
{
    public bool IsFlag => Value == null;

    public override string ToString() => Value == null ? Name : $"{Name}={Value}";
}
