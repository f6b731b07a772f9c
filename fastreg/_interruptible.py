"""Ctrl-C across threads: thread jobs that stop together.

Python delivers signals to the main thread only, between bytecodes. The
compiled kernels check for them themselves (``fastreg._kernels._interrupt``);
the case left is jobs on threads (threaded cross-validation): the main
thread gets the KeyboardInterrupt while it waits; :func:`run_thread_jobs` then
asks every kernel running outside the main thread to stop (a process-wide stop
request the kernels read at their checks), waits until its jobs have ended,
and re-raises. Any kernel that another thread of the process runs meanwhile
stops too (with KeyboardInterrupt): the stop request is not per call.
"""
import threading

from joblib import Parallel

from ._kernels._interrupt import release_stop, request_stop

#: Seconds between two looks of a waiting thread at its signals.
_POLL = 0.05


class _Jobs:
    """Counts the jobs running on threads; refuses to start new ones once
    cancelled."""

    def __init__(self):
        self._cond = threading.Condition()
        self._running = 0
        self.cancelled = False

    def wrap(self, function):
        def job(*args, **kwargs):
            with self._cond:
                if self.cancelled:
                    raise KeyboardInterrupt("stopped: the calling thread was interrupted")
                self._running += 1
            try:
                return function(*args, **kwargs)
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()
        return job

    def cancel_and_wait(self):
        with self._cond:
            self.cancelled = True
            while self._running:
                self._cond.wait(_POLL)


def run_thread_jobs(jobs, n_jobs):
    """``Parallel(n_jobs)`` on threads over ``jobs`` (``delayed`` triples),
    stopping every job when the calling thread gets KeyboardInterrupt.

    The backend is joblib's threading one whatever backend the caller's
    context sets: the jobs share the caller's arrays and the kernels release
    the GIL (processes would copy the data), and the stop request reaches
    threads only.

    Returns the jobs' results in order.
    """
    tracker = _Jobs()
    try:
        return Parallel(n_jobs=n_jobs, backend="threading")(
            (tracker.wrap(function), args, kwargs) for function, args, kwargs in jobs)
    except KeyboardInterrupt:
        request_stop()
        try:
            tracker.cancel_and_wait()  # the kernels stop at their next check
        finally:
            release_stop()
        raise
