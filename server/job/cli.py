"""flask jobs worker — run the queued jobs; flask jobs sweep — see to jobs nobody is seeing to."""
import click
from flask import current_app
from flask.cli import AppGroup

from server.job import service
from server.job.queue import get_queue

jobs_cli = AppGroup("jobs", help="后台任务")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="同时处理的任务数（线程）")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="是否由本进程定时发起周期任务（每分钟清理中断的任务、每30分钟刷新市局省局汇总）；多个进程时只需一个")
def worker_cmd(workers: int, periodic: bool):
    """Run queued jobs until stopped (Ctrl-C finishes the jobs in hand first). On start, jobs left
    running by a worker that died are failed with a reason once they are stale. With --no-periodic the
    process only runs what is queued: of several workers one schedules the periodic tasks (each that does
    would queue them once more)."""
    app = current_app._get_current_object()
    huey = get_queue(app)
    if huey.immediate:
        raise click.ClickException("JOBS_QUEUE=inline：任务在发起的进程内执行，无需启动后台进程")
    import server.job.kinds  # noqa: F401  (every handler registered before the first job)
    failed, requeued = service.sweep()
    where = app.config["REDIS_URL"] and "Redis" or "SQLite（instance/jobs-queue.db）"
    click.echo(f"后台任务进程：队列 {where}，{workers} 个线程{'' if periodic else '，不发起周期任务'}；"
               f"{failed} 个中断的任务已标为失败，{requeued} 个久未开始的任务已重新排队")
    # The SQLite queue is polled: a job waits at most max_delay seconds to start; Redis blocks instead.
    huey.create_consumer(workers=workers, worker_type="thread", max_delay=1.0, periodic=periodic).run()


@jobs_cli.command("sweep")
def sweep_cmd():
    """Fail the running jobs whose worker has been silent for JOBS_STALE_SECONDS; queue again the ones
    waiting that long."""
    failed, requeued = service.sweep()
    click.echo(f"{failed} 个中断的任务已标为失败，{requeued} 个久未开始的任务已重新排队")
