# Interruptible kernels: the one check every compiled loop makes, so that
# Ctrl-C (SIGINT) reaches the user while a long kernel call runs.
#
# Rule: a loop spends a work budget (multiply-adds, or entries read) and calls
# ``check_interrupt`` when it is spent, at its gap checks and inside an epoch
# every few coordinates. Counting work instead of time keeps the common path
# to one subtraction and one comparison (no clock read, no GIL), and a
# budget's worth of work takes milliseconds, well inside the half second a
# user may wait for Ctrl-C to act.
#
# ``check_interrupt`` raises (KeyboardInterrupt, or the exception a Python
# SIGINT handler raises) and the error propagates out of the ``nogil`` block of
# the kernel's ``def`` function: the kernel returns nothing, the driver never
# reads the half-updated ``w`` (it is a working copy, never the user's array).
# Its state lives in ``_interrupt.pyx``, one module shared by every kernel.

cdef int check_interrupt() except -1 nogil

# Work (multiply-adds or entries) between two checks.
cdef enum:
    INTERRUPT_BUDGET = 1 << 22


cdef inline int spend(Py_ssize_t *budget, Py_ssize_t cost) except -1 nogil:
    """Spend ``cost`` of ``budget``; check for an interrupt when it runs out."""
    budget[0] -= cost
    if budget[0] > 0:
        return 0
    budget[0] = INTERRUPT_BUDGET
    return check_interrupt()
