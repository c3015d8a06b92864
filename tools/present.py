"""Serve one notebook to a class with Voila: code hidden, sliders live.

    python tools/present.py 03 [--students 30] [--host 0.0.0.0] [--port 8866] [--cull 180]

What it sets up for a room of students (``make present NB=03 PRESENT_STUDENTS=30``):

- a pool of pre-heated kernels: before anyone connects, Voila starts
  ``students`` kernels and runs the notebook in each, so a student's page
  arrives already computed instead of waiting for the notebook to run (with
  thirty students, each waiting for the others' runs: about a minute and a
  half on 2 cores). The kernels run the notebook one at a time on a 2-core
  machine (``OneCoreFreeKernelManager``), so the pool takes about
  ``students`` x SECONDS_PER_KERNEL to warm up: start it a few minutes
  before the class. The pool refills, in the same way, ``--fill-delay``
  seconds after a student takes a kernel, so a latecomer or a reload still
  gets a ready page. Once a student is in, the refill runs at the lowest
  CPU priority (``--refill-nice``, nice 19), so that it takes only what the
  class leaves of the cores;
- a closed tab's kernel is shut down at once (the page asks for it as it
  closes). Culling shuts down the kernel of a tab that vanished without
  closing (lid shut, Wi-Fi lost) once it has had no connection and no
  activity for ``--cull`` seconds (checked every 30 s), so a class that
  reloads does not fill the memory. An open tab keeps its kernel however
  long the student reads.

What a class of 30 measured (``make bench-class STUDENTS=30``) is in the
README's "Teaching with this series" and in bench/README.md.
"""

import argparse
import asyncio
import os
import re
import sys
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no nice values
    resource = None

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

# Front-end extensions that stop widgets from rendering in Voila (an
# allowlist would stop them all).
VOILA_DENYLIST = ["jupyterlab-jupytext", "@jupyter-notebook/lab-extension", "@voila-dashboards/jupyterlab-preview"]
CULL_INTERVAL = 30  # seconds between two looks for idle kernels
DEFAULT_CULL = 180  # seconds without connection or activity before a kernel is shut down
DEFAULT_FILL_DELAY = 1.0  # seconds after a student takes a kernel before the pool starts its replacement
REFILL_NICE = 19  # the refill's CPU priority once a student is in class (nice 19: the lowest)
CAP_SYS_NICE = 23  # the bit of the capability to raise priorities (linux/capability.h)
# One BLAS thread per kernel: the notebooks' matrices are small, and with many
# kernels on a few cores, BLAS threads only wait for each other (seen: 10x
# slower training on a busy 2-core machine).
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# How many kernels may run the notebook at the same time while the pool fills:
# all but one core, so that one core always answers the students already in
# class (their slider moves, the pages of those who arrive or reload).
PREHEAT_AT_ONCE = max(1, (os.cpu_count() or 2) - 1)
# Seconds to start a kernel and run the notebook in it, on one core of a
# 2-core machine (make bench-class, 7 Dec): notebook 03 (30 kernels in
# 179-193 s) and 07 (30 in 272-285 s). A notebook that runs longer (10:
# about 20 s) warms up more slowly.
SECONDS_PER_KERNEL = {"03": 6.2, "07": 9.5}


class OneCoreFreeKernelManager(AsyncMappingKernelManager):
    """Starts kernels PREHEAT_AT_ONCE at a time: the next one starts once a
    running one has run its notebook (busy, then idle for QUIET seconds).
    Once a student is in class, a new kernel of the refill runs its notebook
    at the lowest CPU priority (nice 19), and gets the normal one back when
    a student's page connects to it, where the system allows that.

    Why: a class arrives at once, and Voila then refills its pool of
    pre-heated kernels, each running the whole notebook. Thirty of those at
    once shared the 2 cores with the students' own kernels (the operating
    system treats them alike): a slider move took 1.7 s (median) and 8 s
    (95th percentile) for a minute. One at a time, the refill takes longer and
    the students keep a core. At the lowest priority, the refill also gives
    way on the other core whenever a student's kernel draws.

    Giving a process its normal priority back needs root or CAP_SYS_NICE
    (or a raised RLIMIT_NICE). Without them, a latecomer's kernel would keep
    the refill's low priority and wait behind the whole class, so the refill
    then runs at normal priority, as before, and the log says so once.
    """

    QUIET = 1.5  # seconds idle after being busy: the notebook has run
    LIMIT = 120  # seconds: a kernel that never gets quiet releases its turn anyway
    refill_nice = Integer(REFILL_NICE, config=True,
                          help="nice value of a refill kernel until a student connects (19: lowest; 0: as the others)")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._class_arrived = False  # a student's page has connected
        self._lowered = set()  # refill kernels running at refill_nice

    async def start_kernel(self, **kwargs):
        if not hasattr(self, "_turns"):
            self._turns = asyncio.Semaphore(PREHEAT_AT_ONCE)
        await self._turns.acquire()
        try:
            kernel_id = await super().start_kernel(**kwargs)
        except BaseException:
            self._turns.release()
            raise
        if self._class_arrived and self._refill_may_go_low() and set_kernel_priority(self._pid(kernel_id),
                                                                                       self.refill_nice):
            self._lowered.add(kernel_id)
        asyncio.ensure_future(self._release_turn_when_quiet(kernel_id))
        return kernel_id

    def notify_connect(self, kernel_id):
        """A page opened a websocket to ``kernel_id``: a student is here."""
        super().notify_connect(kernel_id)
        self._class_arrived = True
        if kernel_id in self._lowered:
            self._lowered.discard(kernel_id)
            normal = os.getpriority(os.PRIO_PROCESS, 0)  # the server's own, as the kernels of the first pool have
            set_kernel_priority(self._pid(kernel_id), normal)

    def _refill_may_go_low(self):
        """Whether to start this refill kernel at ``refill_nice``: lower than
        the server, and its priority can be given back (said once if not)."""
        if not hasattr(os, "getpriority") or self.refill_nice <= os.getpriority(os.PRIO_PROCESS, 0):
            return False
        if not may_give_priority_back():
            if not getattr(self, "_said_normal_refill", False):
                self._said_normal_refill = True
                self.log.warning("present: the pool refills at normal CPU priority: giving a kernel its priority "
                                 "back needs root or CAP_SYS_NICE")
            return False
        return True

    def _pid(self, kernel_id):
        provisioner = getattr(self.get_kernel(kernel_id), "provisioner", None)
        return getattr(provisioner, "pid", None)

    async def _release_turn_when_quiet(self, kernel_id):
        started, busy_seen, idle_since = time.monotonic(), False, None
        try:
            while time.monotonic() - started < self.LIMIT and kernel_id in self:
                state = getattr(self.get_kernel(kernel_id), "execution_state", "starting")
                busy_seen = busy_seen or state == "busy"
                idle_since = (idle_since or time.monotonic()) if busy_seen and state == "idle" else None
                if idle_since is not None and time.monotonic() - idle_since >= self.QUIET:
                    return
                await asyncio.sleep(0.1)
        finally:
            self._turns.release()


def may_give_priority_back():
    """Whether this process may raise a process's priority back to its own:
    Linux allows it to root, to CAP_SYS_NICE, and where RLIMIT_NICE reaches
    that nice value (20 - limit)."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    limit = getattr(resource, "RLIMIT_NICE", None)  # Linux only
    if limit is not None and 20 - resource.getrlimit(limit)[0] <= own:
        return True
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    effective = re.search(r"^CapEff:\s*([0-9a-f]+)", status, re.MULTILINE)
    return bool(effective and int(effective.group(1), 16) >> CAP_SYS_NICE & 1)


def set_kernel_priority(pid, nice):
    """Give every thread of process ``pid`` the nice value ``nice`` (threads
    it starts later inherit it from the thread that starts them). True if
    done; False where the system does not allow it (raising a priority
    needs privileges) or the process is gone."""
    if pid is None or not hasattr(os, "setpriority"):
        return False
    try:
        threads = os.listdir(f"/proc/{pid}/task")  # Linux: one entry per thread
    except OSError:
        threads = [pid]
    try:
        for thread in threads:
            os.setpriority(os.PRIO_PROCESS, int(thread), nice)
    except (PermissionError, ProcessLookupError):
        return False
    return True


def server_env(environ=None):
    """The environment Voila and its kernels run in."""
    env = dict(os.environ if environ is None else environ)
    env.pop("MPLBACKEND", None)  # the kernels inherit it, and plots vanish
    env.update(ONE_THREAD)
    # Voila imports OneCoreFreeKernelManager from this file.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent), env.get("PYTHONPATH")]))
    return env


def find_notebook(number):
    """notebooks/NN_*.ipynb for NN = number (ValueError naming the choices)."""
    found = sorted(NOTEBOOKS.glob(f"{number}_*.ipynb"))
    if not found:
        choices = " ".join(sorted(p.name[:2] for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
        raise ValueError(f"no notebook {number!r}; choose one of: {choices}")
    return found[0]


def voila_command(notebook, *, host="127.0.0.1", port=8866, students=1, cull=DEFAULT_CULL,
                  fill_delay=DEFAULT_FILL_DELAY, refill_nice=REFILL_NICE, python=sys.executable):
    """The Voila command line that serves ``notebook`` to ``students`` people."""
    if students < 1:
        raise ValueError(f"students must be at least 1; got {students}")
    if cull < CULL_INTERVAL:
        raise ValueError(f"cull must be at least {CULL_INTERVAL} seconds; got {cull}")
    if not 0 <= refill_nice <= 19:
        raise ValueError(f"refill_nice must be a nice value from 0 (normal) to 19 (lowest); got {refill_nice}")
    return [
        python, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", f"--Voila.ip={host}",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in VOILA_DENYLIST),
        "--VoilaConfiguration.preheat_kernel=True",
        "--VoilaConfiguration.multi_kernel_manager_class=present.OneCoreFreeKernelManager",
        # Kernels talk to Voila over Unix sockets, not TCP ports: thirty
        # kernels starting together raced for ports ("Address already in
        # use"), and one student got a page that never came.
        "--KernelManager.transport=ipc",
        f"--VoilaConfiguration.default_pool_size={students}",
        f"--VoilaKernelManager.fill_delay={fill_delay}",
        f"--OneCoreFreeKernelManager.refill_nice={refill_nice}",
        f"--MappingKernelManager.cull_idle_timeout={cull}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
        "--MappingKernelManager.cull_connected=False",
        # A closed tab's page asks Voila to shut its kernel down (a POST from
        # its beforeunload). With pre-heated kernels the page never gets the
        # _xsrf cookie that POST must carry, so Voila refused it (403) and
        # every closed tab's kernel waited for the culling. Voila has no login
        # here and its only POST is that shutdown of a kernel named by its
        # random id: the XSRF check protects nothing, and it goes.
        "--Voila.tornado_settings=disable_check_xsrf=True",
    ]


def warm_up_text(students):
    """How long the pool takes to warm up, as "about 2 to 4 min" (from SECONDS_PER_KERNEL)."""
    low, high = (max(1, round(students * seconds / PREHEAT_AT_ONCE / 60))
                 for seconds in (min(SECONDS_PER_KERNEL.values()), max(SECONDS_PER_KERNEL.values())))
    return f"about {low} to {high} min" if high > low else f"about {high} min"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", help="the notebook's number, such as 03")
    parser.add_argument("--students", type=int, default=int(os.environ.get("PRESENT_STUDENTS", 1)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--cull", type=int, default=DEFAULT_CULL, help="seconds before an abandoned kernel is shut down")
    parser.add_argument("--fill-delay", type=float, default=DEFAULT_FILL_DELAY, help="seconds before the pool refills")
    parser.add_argument("--refill-nice", type=int, default=REFILL_NICE,
                        help="CPU priority of the refill once students are in (nice 0-19; default 19, the lowest)")
    args = parser.parse_args(argv)
    try:
        notebook = find_notebook(args.notebook)
        command = voila_command(notebook, host=args.host, port=args.port, students=args.students,
                                cull=args.cull, fill_delay=args.fill_delay, refill_nice=args.refill_nice)
    except ValueError as error:
        parser.error(str(error))
    print(f"Presenting {notebook.name} to {args.students} student(s): open http://{args.host}:{args.port}/ "
          f"(Ctrl+C to stop). Warming {args.students} kernel(s) first, {PREHEAT_AT_ONCE} at a time: "
          f"{warm_up_text(args.students)}; the log says \"Kernel pool ... is filled\" when the last one "
          f"starts.", flush=True)
    env = server_env()
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    main()
