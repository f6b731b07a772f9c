"""The interrupt check of the compiled loops (see ``_interrupt.pxd``).

Signals reach Python's main thread only: there ``check_interrupt`` takes the
GIL briefly and runs ``PyErr_CheckSignals`` (which runs the Python SIGINT
handler, by default raising KeyboardInterrupt). Kernels running in worker
threads (threaded cross-validation) cannot see a signal; they read instead a
process-wide stop counter that the driver waiting on them raises with
:func:`request_stop` when it catches KeyboardInterrupt, and lowers with
:func:`release_stop` once its workers have ended. While it is raised, every
kernel running outside the main thread stops with KeyboardInterrupt.
"""
import threading

from cpython.exc cimport PyErr_CheckSignals

cdef extern from "pythread.h":
    unsigned long PyThread_get_thread_ident() nogil

# Read without the GIL by worker threads, written under it by the driver: an
# aligned int, declared volatile so that every check reads it afresh.
cdef volatile int _stop = 0
cdef unsigned long _main_ident = threading.main_thread().ident


cdef int check_interrupt() except -1 nogil:
    """Raise if a signal's Python handler raises (main thread) or a stop is
    requested (other threads); 0 otherwise."""
    if PyThread_get_thread_ident() == _main_ident:
        with gil:
            PyErr_CheckSignals()
    elif _stop:
        with gil:
            raise KeyboardInterrupt("stopped: the calling thread was interrupted")
    return 0


def request_stop():
    """Make every kernel running outside the main thread stop at its next check."""
    global _stop
    _stop += 1


def release_stop():
    """Undo one :func:`request_stop` (once the stopped workers have ended)."""
    global _stop
    if _stop > 0:
        _stop -= 1


def stop_requested():
    """Whether a stop is requested (kernels outside the main thread stop)."""
    return _stop > 0
