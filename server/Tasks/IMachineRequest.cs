namespace EzioPxe.Server.Tasks;

/// <summary>What the control requests (POST /tasks, /tasks/cancel, /wake) name: a job and machines (<see cref="MachineSelection"/>).</summary>
public interface IMachineRequest
{
    string? Job { get; }

    List<string>? Machines { get; }
}
