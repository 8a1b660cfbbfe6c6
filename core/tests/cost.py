"""What a call costs: wall time and the peak memory it adds, for the hostile-file tests.

Memory is the process's resident set, not tracemalloc: Pillow, GEOS and GDAL allocate in C,
where tracemalloc sees nothing. On Linux the peak is reset before the call (writing 5 to
/proc/self/clear_refs), so the figure is this call's own; elsewhere it falls back to the
growth of the process's lifetime peak, which can only under-count an earlier, higher peak.
Memory the test freed before the call is handed back to the system first (malloc_trim), so
that the call cannot reuse it unseen.
"""

import ctypes
import gc
import os
import re
import resource
import time
from contextlib import contextmanager
from dataclasses import dataclass

MB = 2**20


@dataclass
class Cost:
    seconds: float = 0.0
    peak_mb: float = 0.0  # resident memory above what the process held before the call

    def __str__(self):
        return f"{self.seconds:.2f} s, +{self.peak_mb:.0f} MB"


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            found = re.search(rf"^{field}:\s+(\d+) kB", fh.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found[1]) if found else None


def _hand_back_free_memory() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the figure may under-count
        pass


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


@contextmanager
def measured(label: str = ""):
    """with measured() as cost: …; then cost.seconds and cost.peak_mb (printed with `label`
    when COST_REPORT is set: COST_REPORT=1 pytest -s …)."""
    cost = Cost()
    _hand_back_free_memory()
    before = _status_kb("VmRSS")
    exact = before is not None and _reset_peak()
    lifetime = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - start
        if exact:
            cost.peak_mb = max(0, (_status_kb("VmHWM") or before) - before) / 1024
        else:
            cost.peak_mb = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                               - lifetime) / 1024
        if os.environ.get("COST_REPORT"):
            print(f"\n[cost] {label}: {cost}")
