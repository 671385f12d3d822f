using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.Tasks;

/// <summary>
/// The armed and running deploy tasks, kept in DataDirectory/tasks.json so they survive a restart.
/// One active task per machine; arming a machine again replaces its task. Every change is written
/// at once (they are rare: an administrator's command, a machine's boot, its last report).
/// </summary>
public sealed class TaskStore
{
    /// <summary>More machines than any site has: a bound on the file and on the any-machine task's memory.</summary>
    public const int MaxTasks = 10_000;

    public const string FileName = "tasks.json";

    private readonly object _lock = new();
    private readonly string _path;
    private readonly Dictionary<string, DeployTask> _tasks;

    /// <summary>
    /// Cancelled tasks that were running: their machines are still writing their disks and must be
    /// told to stop at their next report. Kept until the machine reports its end or is armed again.
    /// </summary>
    private readonly Dictionary<string, DeployTask> _cancelled;
    private AnyMachineTask? _any;

    private TaskStore(string path, TaskFile file)
    {
        _path = path;
        _tasks = file.Tasks.Where(t => MacAddress.TryParse(t.Mac, out _))
            .GroupBy(t => Key(t.Mac)).ToDictionary(g => g.Key, g => g.Last() with { Mac = g.Key });
        _cancelled = file.Cancelled.Where(t => MacAddress.TryParse(t.Mac, out _))
            .GroupBy(t => Key(t.Mac)).ToDictionary(g => g.Key, g => g.Last() with { Mac = g.Key });
        _any = file.AnyMachine;
    }

    /// <summary>Reads DIRECTORY/tasks.json (none: no task). A broken file throws <see cref="InvalidDataException"/>.</summary>
    public static TaskStore Open(string dataDirectory)
    {
        var path = System.IO.Path.Combine(dataDirectory, FileName);
        return new TaskStore(path, JsonFile.Read(path, TaskJsonContext.Default.TaskFile, new TaskFile()));
    }

    public string Path => _path;

    public IReadOnlyList<DeployTask> Tasks
    {
        get
        {
            lock (_lock)
            {
                return _tasks.Values.OrderBy(t => t.Mac, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>Whether any machine has a task of <paramref name="job"/>, or it is the any-machine task's job.</summary>
    public bool HasTasks(string job)
    {
        lock (_lock)
        {
            return string.Equals(_any?.Job, job, StringComparison.OrdinalIgnoreCase)
                || _tasks.Values.Any(t => string.Equals(t.Job, job, StringComparison.OrdinalIgnoreCase));
        }
    }

    public AnyMachineTask? AnyMachine
    {
        get
        {
            lock (_lock)
            {
                return _any;
            }
        }
    }

    public DeployTask? Find(MacAddress mac)
    {
        lock (_lock)
        {
            return _tasks.GetValueOrDefault(mac.ToString());
        }
    }

    /// <summary>Arms <paramref name="job"/> for each machine (replacing a task it had). Throws <see cref="InvalidOperationException"/> beyond <see cref="MaxTasks"/>.</summary>
    public IReadOnlyList<DeployTask> Arm(string job, IReadOnlyCollection<MacAddress> machines, string armedBy, DateTime now)
    {
        lock (_lock)
        {
            var added = machines.Select(m => m.ToString()).Distinct().Count(m => !_tasks.ContainsKey(m));
            if (_tasks.Count + added > MaxTasks)
            {
                throw new InvalidOperationException($"at most {MaxTasks} machines can have a task at once");
            }
            var armed = new List<DeployTask>();
            foreach (var mac in machines.Select(m => m.ToString()).Distinct())
            {
                var task = new DeployTask { Mac = mac, Job = job, State = TaskStates.Armed, ArmedAt = now, ArmedBy = armedBy };
                _tasks[mac] = task;
                _cancelled.Remove(mac); // armed again: its next report must not be told to stop
                armed.Add(task);
            }
            Save();
            return armed;
        }
    }

    /// <summary>Arms the any-machine task (replacing one that was armed: machines it served may be served again).</summary>
    public void ArmAnyMachine(string job, string armedBy, DateTime now)
    {
        lock (_lock)
        {
            _any = new AnyMachineTask { Job = job, ArmedAt = now, ArmedBy = armedBy };
            Save();
        }
    }

    /// <summary>
    /// For a machine without a task while the any-machine task is armed: gives it a task of that
    /// job, once per machine. Null when there is no any-machine task or it already served this machine.
    /// </summary>
    public DeployTask? ClaimFromAnyMachine(MacAddress mac, DateTime now)
    {
        lock (_lock)
        {
            var key = mac.ToString();
            if (_any == null || _any.Served.Contains(key) || _tasks.ContainsKey(key) || _tasks.Count >= MaxTasks || _any.Served.Count >= MaxTasks)
            {
                return null;
            }
            _any.Served.Add(key);
            _cancelled.Remove(key);
            var task = new DeployTask { Mac = key, Job = _any.Job, State = TaskStates.Armed, ArmedAt = now, ArmedBy = _any.ArmedBy + ", any machine" };
            _tasks[key] = task;
            Save();
            return task;
        }
    }

    /// <summary>The machine booted the deploy kernel: armed -> running (no change if already running).</summary>
    public DeployTask? Start(MacAddress mac, DateTime now)
    {
        lock (_lock)
        {
            var key = mac.ToString();
            if (!_tasks.TryGetValue(key, out var task))
            {
                return null;
            }
            if (task.State == TaskStates.Armed)
            {
                task = _tasks[key] = task with { State = TaskStates.Running, StartedAt = now };
                Save();
            }
            return task;
        }
    }

    /// <summary>
    /// The machine reported done or failed: its task ends (one-shot). Returns the task that ended,
    /// if any (a cancelled task whose machine has now stopped included, for the history).
    /// </summary>
    public DeployTask? Finish(MacAddress mac)
    {
        lock (_lock)
        {
            if (!_tasks.Remove(mac.ToString(), out var task) && !_cancelled.Remove(mac.ToString(), out task))
            {
                return null;
            }
            Save();
            return task;
        }
    }

    /// <summary>True while the machine's running task was cancelled and the machine has not stopped: its reports get ProgressReply.Stop.</summary>
    public bool IsCancelled(MacAddress mac)
    {
        lock (_lock)
        {
            return _cancelled.ContainsKey(mac.ToString());
        }
    }

    /// <summary>
    /// Cancels the tasks of <paramref name="job"/> (null: every job) for <paramref name="machines"/>
    /// (null: all), and the any-machine task of that job. Stopping: the machines that were running
    /// theirs, told to stop at their next report.
    /// </summary>
    public (List<string> Machines, bool AnyMachine, int Stopping) Cancel(string? job, IReadOnlyCollection<MacAddress>? machines)
    {
        lock (_lock)
        {
            var keys = machines?.Select(m => m.ToString()).ToHashSet();
            var stopping = 0;
            var cancelled = _tasks.Values
                .Where(t => (job == null || string.Equals(t.Job, job, StringComparison.OrdinalIgnoreCase)) && (keys == null || keys.Contains(t.Mac)))
                .Select(t => t.Mac).ToList();
            foreach (var mac in cancelled)
            {
                // A running task's machine is writing its disk right now: it is told to stop at its
                // next report. An armed one has not booted: there is nobody to tell.
                if (_tasks.Remove(mac, out var task) && task.State == TaskStates.Running)
                {
                    _cancelled[mac] = task with { State = TaskStates.Cancelled };
                    stopping++;
                }
            }
            // Bounded like the tasks: beyond it the longest-cancelled machines are no longer told to stop.
            foreach (var stale in _cancelled.Values.OrderBy(t => t.StartedAt ?? t.ArmedAt).Take(Math.Max(0, _cancelled.Count - MaxTasks)).ToList())
            {
                _cancelled.Remove(stale.Mac);
            }
            var any = machines == null && _any != null && (job == null || string.Equals(_any.Job, job, StringComparison.OrdinalIgnoreCase));
            if (any)
            {
                _any = null;
            }
            Save();
            return (cancelled, any, stopping);
        }
    }

    private void Save() => JsonFile.Write(_path, new TaskFile
    {
        Tasks = _tasks.Values.OrderBy(t => t.Mac, StringComparer.Ordinal).ToList(),
        AnyMachine = _any,
        Cancelled = _cancelled.Values.OrderBy(t => t.Mac, StringComparer.Ordinal).ToList(),
    }, TaskJsonContext.Default.TaskFile);

    private static string Key(string mac) => MacAddress.TryParse(mac, out var parsed) ? parsed.ToString() : mac;
}
