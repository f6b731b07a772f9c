"""A text progress bar on stderr (no dependency).

On a terminal the bar is redrawn in place; otherwise (a pipe, a log file, CI)
one line is printed per step, so that logs stay readable.
"""
import sys
import time

__all__ = ["ProgressBar"]


class ProgressBar:
    """``bar(done, total, label)`` draws ``[#####.....]  12/40  0:07  label``."""

    def __init__(self, stream=None, width=30):
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.start = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0

    def __call__(self, done, total, label):
        filled = self.width * done // max(total, 1)
        elapsed = int(time.perf_counter() - self.start)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done:>{len(str(total))}}/"
                f"{total}  {elapsed // 60}:{elapsed % 60:02d}  {label}")
        if self.tty:
            pad = max(self._last - len(line), 0)
            self.stream.write("\r" + line + " " * pad + ("\n" if done == total else ""))
            self._last = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
