"""Extraction worker processes, supervised: a deadline per page, a dead worker replaced.

concurrent.futures' process pool can neither stop one worker nor survive one's death
(`BrokenProcessPool` fails every pending page), and a page can hang a parser or crash it
(segfault, OOM kill). So each worker here has a pipe of its own and works on one page at
a time, and a supervisor thread in the caller's process watches them all:

- a page still running after the deadline: the worker is killed and replaced, the page
  recorded as `timeout`;
- a worker that dies (a signal, an exit): replaced; the page it held is tried once more
  on a fresh worker, then recorded with how the worker died;
- every other page goes on: none waits for, or is lost with, the bad one.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait

from newsflow.models import PageResult

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.5  # how often deadlines are looked at when nothing else happens
_STOP_GRACE_SECONDS = 5.0
MAX_TRIES = 2  # a page whose worker died is tried once more, alone on a fresh worker


@dataclass
class Job:
    """One page on its way through a worker, and where its result goes."""

    page: object  # extractors.pool.pipeline.PageInput: has .url and .source
    options: tuple  # passed to the worker's function after the page
    deliver: Callable[[PageResult, float, float], None]  # result, extract and tag CPU s
    cancelled: Callable[[], bool] = lambda: False
    tries: int = 0


@dataclass(eq=False)
class _Worker:
    process: object  # a started multiprocessing.Process
    conn: Connection
    job: Job | None = None
    started: float = 0.0


class Supervisor:
    """Runs jobs on `size` worker processes made by `spawn` (see the module docstring)."""

    def __init__(self, size: int, spawn: Callable[[], tuple], deadline: float):
        self.size, self.deadline = size, deadline
        self._spawn = spawn  # returns (a started process, the parent's end of its pipe)
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._waiting: deque[Job] = deque()
        self._workers: list[_Worker] = []
        self._wake_r, self._wake_w = Pipe(duplex=False)  # lets put() interrupt wait()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._broken: str | None = None  # why the supervisor stopped working, if it did
        self._lock = threading.Lock()

    def start(self) -> None:
        """Starts the supervisor, which starts the workers (their models load now)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="extraction-supervisor")
            self._thread.daemon = True
            self._thread.start()

    def put(self, job: Job) -> None:
        self.start()
        with self._lock:  # so no job slips in while a failed supervisor strands the rest
            if self._broken is None:
                self._jobs.put(job)
                self._wake_w.send_bytes(b"")
                return
        job.deliver(_failed(job, self._broken), 0.0, 0.0)

    def pids(self) -> list[int]:
        """Returns the process ids of the current workers."""
        return [w.process.pid for w in list(self._workers)]

    def stop(self) -> None:
        """Ends the workers; jobs still waiting are dropped."""
        if self._thread is None:
            return
        self._stopping = True
        self._wake_w.send_bytes(b"")
        self._thread.join()
        for worker in self._workers:
            self._end(worker, kill=worker.job is not None)

    def _run(self) -> None:
        try:
            self._supervise()
        except Exception as exc:  # no page may wait for ever on a supervisor that is gone
            log.exception("extraction supervisor failed")
            with self._lock:
                self._broken = f"extraction workers failed: {exc!r}"
                self._take_new_jobs()
            stranded = [w.job for w in self._workers if w.job is not None]
            for job in [*stranded, *self._waiting]:
                job.deliver(_failed(job, self._broken), 0.0, 0.0)

    def _supervise(self) -> None:
        self._workers = [self._new_worker() for _ in range(self.size)]
        while not self._stopping:
            self._take_new_jobs()
            self._dispatch()
            for item in wait(self._watched(), timeout=self._next_timeout()):
                self._handle(item)
            self._enforce_deadlines()

    def _new_worker(self) -> _Worker:
        process, conn = self._spawn()
        return _Worker(process=process, conn=conn)

    def _watched(self) -> list:
        items = [self._wake_r]
        for worker in self._workers:
            items += [worker.conn, worker.process.sentinel]
        return items

    def _next_timeout(self) -> float:
        now = time.monotonic()
        due = [w.started + self.deadline for w in self._workers if w.job is not None]
        return max(0.0, min([now + _POLL_SECONDS, *due]) - now)

    def _take_new_jobs(self) -> None:
        while self._wake_r.poll():
            self._wake_r.recv_bytes()
        while not self._jobs.empty():
            self._waiting.append(self._jobs.get())

    def _dispatch(self) -> None:
        idle = [w for w in self._workers if w.job is None]
        while idle and self._waiting:
            job = self._waiting.popleft()
            if job.cancelled():
                continue
            worker = idle.pop()
            job.tries += 1
            worker.job, worker.started = job, time.monotonic()
            # A worker that died before taking the page: its sentinel says so next round.
            with contextlib.suppress(OSError):
                worker.conn.send((job.page, *job.options))

    def _handle(self, item) -> None:
        worker = next((w for w in self._workers if item in (w.conn, w.process.sentinel)), None)
        if worker is None:
            return  # the wake-up pipe, or a worker replaced in this round
        try:
            if worker.conn.poll():
                result, extract_s, tag_s = worker.conn.recv()
                job, worker.job = worker.job, None
                if job is not None:
                    job.deliver(result, extract_s, tag_s)
                return
        except (EOFError, OSError):
            pass  # the pipe broke: the worker is gone
        if not worker.process.is_alive() or worker.conn.closed:
            self._replace(worker)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            job = worker.job
            if job is None or now - worker.started <= self.deadline:
                continue
            log.warning("extraction of %s passed its %gs deadline: worker %d killed",
                        job.page.url, self.deadline, worker.process.pid)  # fmt: skip
            worker.job = None
            self._replace(worker)
            reason = f"timeout: extraction took over {self.deadline:g}s"
            job.deliver(_failed(job, reason), 0.0, 0.0)

    def _replace(self, worker: _Worker) -> None:
        job, worker.job = worker.job, None
        how = self._end(worker, kill=True)
        self._workers[self._workers.index(worker)] = self._new_worker()
        if job is None:
            return
        if job.tries < MAX_TRIES:
            log.warning("extraction worker died (%s) on %s: trying the page once more alone",
                        how, job.page.url)  # fmt: skip
            self._waiting.appendleft(job)
            return
        log.error("extraction worker died (%s) on %s again: page recorded", how, job.page.url)
        job.deliver(_failed(job, f"extraction worker died twice on this page ({how})"), 0, 0)

    def _end(self, worker: _Worker, *, kill: bool) -> str:
        """Ends a worker's process; returns how it ended, e.g. "signal 9 (SIGKILL)"."""
        process = worker.process
        if process.is_alive() and not kill:
            with contextlib.suppress(OSError):
                worker.conn.send(None)  # the worker's loop ends on None
            process.join(timeout=_STOP_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
        process.join()
        worker.conn.close()
        return _how_it_ended(process.exitcode)


def _failed(job: Job, reason: str) -> PageResult:
    return PageResult(url=job.page.url, source=job.page.source, error=reason)


def _how_it_ended(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {-code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def worker_loop(conn: Connection, work: Callable, fault_hook: Callable | None) -> None:
    """Runs in a worker process: answers each page sent on conn with work(page, *options)."""
    # Ctrl-C is the parent's to handle: it stops the workers in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        page, *options = message
        if fault_hook is not None:
            fault_hook(page)
        conn.send(work(page, *options))
