using System.Collections.Concurrent;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Status;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Tasks;

/// <summary>
/// Whether a machine deploys or boots its own disk, and the bookkeeping around one deployment:
/// a machine gets a job while a task is armed for it (or its listed job has Arm: always); the task
/// starts when it boots the deploy kernel and ends when it reports done or failed, which goes into
/// the history. Everything else — unlisted machines, machines whose task is done — boots its disk
/// and is shown as "waiting".
/// </summary>
public sealed class MachineLifecycle(ServerSettings settings, TaskStore tasks, DeploymentHistory history, BootSightings sightings,
    ILogger<MachineLifecycle> logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Deployments under way (boot seen or first report), by MAC: the start time for the history. Bounded like the task store.</summary>
    private readonly ConcurrentDictionary<string, DateTime> _running = new(StringComparer.Ordinal);

    public TaskStore Tasks => tasks;

    public DeploymentHistory History => history;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The job this machine runs now, or null (it boots its disk). <paramref name="claim"/>: let an
    /// armed any-machine task give it a task (a real boot does; a look at the status does not).
    /// </summary>
    public string? JobFor(MacAddress mac, bool claim = true)
    {
        if (tasks.Find(mac) is { } task)
        {
            return task.Job;
        }
        if (settings.Machines.TryGetValue(mac, out var listed) && ArmModes.IsAlways(settings.Jobs[listed.Job!]))
        {
            return listed.Job;
        }
        return claim && tasks.ClaimFromAnyMachine(mac, Now) is { } claimed ? claimed.Job : null;
    }

    /// <summary>
    /// A machine asked for DHCP or a boot menu. True: send it the deploy kernel (its task starts);
    /// false: send it to its own disk.
    /// </summary>
    public bool OnBoot(MacAddress mac)
    {
        var job = JobFor(mac);
        sightings.Record(mac, job != null ? MachineStates.Booting : MachineStates.Waiting);
        if (job == null)
        {
            return false;
        }
        var now = Now;
        if (tasks.Find(mac) is { State: TaskStates.Armed })
        {
            tasks.Start(mac, now);
            logger.LogInformation("machine {Mac} network-booted: deploying job {Job}", mac, job);
        }
        if (_running.Count < TaskStore.MaxTasks)
        {
            _running.TryAdd(mac.ToString(), now);
        }
        return true;
    }

    /// <summary>
    /// A progress report arrived. Done or failed ends the machine's task (one-shot: its next boot
    /// starts its disk) and adds the deployment to the history.
    /// </summary>
    public void OnProgress(MacAddress mac, ProgressReport report)
    {
        var key = mac.ToString();
        var now = Now;
        if (report.State is not (ProgressStates.Done or ProgressStates.Failed))
        {
            if (_running.Count < TaskStore.MaxTasks)
            {
                _running.TryAdd(key, now);
            }
            tasks.Start(mac, now);
            return;
        }
        var task = tasks.Finish(mac);
        var wasRunning = _running.TryRemove(key, out var started);
        if (task == null && !wasRunning)
        {
            return; // A repeated final report: this deployment is in the history already.
        }
        var record = new DeploymentRecord
        {
            Mac = key,
            Name = settings.Machines.GetValueOrDefault(mac)?.Name,
            Job = report.Job ?? task?.Job ?? "-",
            ArmedBy = task?.ArmedBy,
            StartedAt = task?.StartedAt is { } taskStart && (!wasRunning || taskStart < started) ? taskStart : wasRunning ? started : now,
            FinishedAt = now,
            Result = report.State,
            Error = report.Error,
        };
        history.Add(record);
        logger.LogInformation("machine {Mac} {Result} after {Seconds} s; {Next}", mac, record.Result, record.Seconds,
            task != null ? "its task is done: it boots its disk from now on" : "no task was armed");
    }
}
