"""`make present`'s setup (tools/present.py) and the load test's page client
(bench/voila_client.py), without starting a server. A real class of one,
served and moved: tests/browser/test_present_class.py."""

import asyncio
import concurrent.futures
import json
import os
import resource
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "bench")]

import present  # noqa: E402
import voila_client  # noqa: E402


def option(command, name):
    """The value of --name=value in a command line (the last one given)."""
    values = [arg.split("=", 1)[1] for arg in command if arg.startswith(f"--{name}=")]
    assert values, f"--{name} is missing from {command}"
    return values[-1]


def test_voila_command_sizes_the_pool_and_culls():
    command = present.voila_command(present.find_notebook("03"), port=9000, students=30, cull=240, fill_delay=5)
    assert command[1:4] == ["-m", "voila", str(present.NOTEBOOKS / "03_gradient_descent_on_a_loss_surface.ipynb")]
    assert option(command, "VoilaConfiguration.preheat_kernel") == "True"
    assert option(command, "VoilaConfiguration.default_pool_size") == "30"
    assert option(command, "VoilaKernelManager.fill_delay") == "5"
    assert option(command, "MappingKernelManager.cull_idle_timeout") == "240"
    assert option(command, "MappingKernelManager.cull_interval") == str(present.CULL_INTERVAL)
    assert option(command, "MappingKernelManager.cull_connected") == "False"  # an open tab keeps its kernel
    assert option(command, "port") == "9000"
    # The choices a class of thirty needed (see present.py for why).
    assert option(command, "VoilaConfiguration.multi_kernel_manager_class") == "present.OneCoreFreeKernelManager"
    assert option(command, "KernelManager.transport") == "ipc"
    assert option(command, "Voila.tornado_settings") == "disable_check_xsrf=True"
    assert option(command, "OneCoreFreeKernelManager.refill_nice") == "19"  # the refill gives way to the class
    assert option(present.voila_command(present.find_notebook("03"), refill_nice=0),
                  "OneCoreFreeKernelManager.refill_nice") == "0"


def test_voila_command_names_bad_settings():
    notebook = present.find_notebook("03")
    with pytest.raises(ValueError, match="students must be at least 1; got 0"):
        present.voila_command(notebook, students=0)
    with pytest.raises(ValueError, match=f"cull must be at least {present.CULL_INTERVAL} seconds; got 10"):
        present.voila_command(notebook, cull=10)
    with pytest.raises(ValueError, match="refill_nice must be a nice value from 0 .normal. to 19 .lowest.; got 20"):
        present.voila_command(notebook, refill_nice=20)
    with pytest.raises(ValueError, match="no notebook '99'; choose one of: 01 02 03 04 05 06 07 08 09"):
        present.find_notebook("99")


def test_the_warm_up_estimate_spans_the_measured_notebooks(monkeypatch):
    monkeypatch.setattr(present, "PREHEAT_AT_ONCE", 1)  # a 2-core machine
    assert present.warm_up_text(30) == "about 3 to 5 min"  # 30 x 6.2 s and 30 x 9.5 s
    assert present.warm_up_text(1) == "about 1 min"  # never "0 min"
    monkeypatch.setattr(present, "PREHEAT_AT_ONCE", 3)
    assert present.warm_up_text(30) == "about 1 to 2 min"
    monkeypatch.setattr(present, "PREHEAT_AT_ONCE", 7)
    assert present.warm_up_text(30) == "about 1 min"


def test_server_env_gives_voila_this_folder_and_one_blas_thread():
    env = present.server_env({"MPLBACKEND": "Agg", "PYTHONPATH": "/elsewhere", "PATH": "/bin"})
    assert "MPLBACKEND" not in env  # the kernels would inherit it and draw no inline plots
    assert env["PYTHONPATH"].split(":") == [str(ROOT / "tools"), "/elsewhere"]
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["PATH"] == "/bin"


class FakeKernel:
    def __init__(self, states):
        self.states = list(states)  # execution_state at each look, the last one repeated

    @property
    def execution_state(self):
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


class FakeManager:
    """Just what OneCoreFreeKernelManager._release_turn_when_quiet looks at."""

    QUIET, LIMIT = 0.3, 5

    def __init__(self, kernel):
        self.kernel = kernel
        self._turns = asyncio.Semaphore(0)

    def __contains__(self, kernel_id):
        return kernel_id == "k"

    def get_kernel(self, kernel_id):
        return self.kernel


def released_after(states, monkeypatch):
    """Seconds, on a fake clock, until the turn of a kernel whose state is
    ``states[i]`` at the i-th look (one look every 0.1 s) is released."""
    clock = {"ms": 0}  # whole milliseconds: no drift from adding 0.1 many times

    async def sleep(seconds):
        clock["ms"] += round(1000 * seconds)
        await real_sleep(0)

    real_sleep = asyncio.sleep
    monkeypatch.setattr(present, "time", types.SimpleNamespace(monotonic=lambda: clock["ms"] / 1000))
    monkeypatch.setattr(present, "asyncio", types.SimpleNamespace(sleep=sleep))
    manager = FakeManager(FakeKernel(states))
    release = present.OneCoreFreeKernelManager._release_turn_when_quiet
    # In a thread of its own: after the browser tests, sync Playwright keeps an
    # event loop running in this one, where asyncio.run() is refused.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: asyncio.run(release(manager, "k"))).result()
    assert manager._turns._value == 1  # released once
    return clock["ms"] / 1000


def test_a_turn_is_released_once_the_notebook_has_run(monkeypatch):
    # Starting, then idle before any cell ran: not done yet. Busy from the
    # 9th look (0.8 s), then idle from the 19th (1.8 s): done QUIET = 0.3 s later.
    assert released_after(["starting"] * 3 + ["idle"] * 5 + ["busy"] * 10 + ["idle"], monkeypatch) == 2.1


def test_a_pause_between_cells_does_not_end_the_turn(monkeypatch):
    # Idle for 0.2 s (< QUIET) between two cells, then idle from 0.8 s on.
    assert released_after(["busy"] * 3 + ["idle"] * 2 + ["busy"] * 3 + ["idle"], monkeypatch) == 1.1


def test_a_kernel_that_never_runs_releases_its_turn_after_the_limit(monkeypatch):
    monkeypatch.setattr(FakeManager, "LIMIT", 0.5)
    assert released_after(["starting"], monkeypatch) == 0.5


@pytest.fixture
def sleeper():
    """A child process that only sleeps (its pid, for CPU priorities)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


NORMAL = os.getpriority(os.PRIO_PROCESS, 0)  # this process's nice value, which its children start with


def may_raise_priority():
    """Whether this process may give a process its normal priority back (as root, here)."""
    return os.geteuid() == 0 or 20 - resource.getrlimit(resource.RLIMIT_NICE)[0] <= NORMAL


def test_set_kernel_priority_lowers_and_gives_back_where_allowed(sleeper):
    assert present.set_kernel_priority(sleeper, 19)
    assert os.getpriority(os.PRIO_PROCESS, sleeper) == 19
    assert present.set_kernel_priority(sleeper, NORMAL) == (may_raise_priority() or NORMAL == 19)
    assert os.getpriority(os.PRIO_PROCESS, sleeper) == (NORMAL if may_raise_priority() else 19)
    assert not present.set_kernel_priority(None, 19)  # no process: nothing done, no error


def test_the_refill_runs_at_low_priority_once_a_student_is_in(monkeypatch, sleeper):
    """Kernels started before anyone connected keep the normal priority; once
    a page has connected, a new kernel starts at refill_nice, and gets the
    normal priority back when a page connects to it (where allowed)."""
    started = iter(["before", "after"])

    async def start_kernel(self, **kwargs):
        return next(started)

    async def no_turns(self, kernel_id):
        self._turns.release()

    monkeypatch.setattr(present.AsyncMappingKernelManager, "start_kernel", start_kernel)
    monkeypatch.setattr(present.AsyncMappingKernelManager, "notify_connect", lambda self, kernel_id: None)
    monkeypatch.setattr(present.OneCoreFreeKernelManager, "_release_turn_when_quiet", no_turns)
    monkeypatch.setattr(present.OneCoreFreeKernelManager, "_pid", lambda self, kernel_id: sleeper)
    manager = present.OneCoreFreeKernelManager()

    if NORMAL == 19:
        pytest.skip("this test runs at nice 19 already: the refill cannot be lower")

    async def class_arrives():
        await manager.start_kernel()  # the pool, before the class
        assert os.getpriority(os.PRIO_PROCESS, sleeper) == NORMAL
        manager.notify_connect("before")  # a student's page
        await manager.start_kernel()  # the refill
        assert os.getpriority(os.PRIO_PROCESS, sleeper) == manager.refill_nice == 19
        assert manager._lowered == {"after"}
        manager.notify_connect("after")  # a latecomer takes the refilled kernel
        assert manager._lowered == set()
        assert os.getpriority(os.PRIO_PROCESS, sleeper) == (NORMAL if may_raise_priority() else 19)

    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # see released_after
        thread.submit(lambda: asyncio.run(class_arrives())).result()


def test_the_refill_stays_at_normal_priority_where_it_could_not_be_given_back(monkeypatch, sleeper):
    """A latecomer's kernel must not keep the refill's low priority: where
    it cannot be raised again, the refill is not lowered."""
    async def start_kernel(self, **kwargs):
        return "k"

    async def no_turns(self, kernel_id):
        self._turns.release()

    monkeypatch.setattr(present, "may_give_priority_back", lambda: False)
    monkeypatch.setattr(present.AsyncMappingKernelManager, "start_kernel", start_kernel)
    monkeypatch.setattr(present.AsyncMappingKernelManager, "notify_connect", lambda self, kernel_id: None)
    monkeypatch.setattr(present.OneCoreFreeKernelManager, "_release_turn_when_quiet", no_turns)
    monkeypatch.setattr(present.OneCoreFreeKernelManager, "_pid", lambda self, kernel_id: sleeper)
    manager = present.OneCoreFreeKernelManager()
    manager.notify_connect("a student")

    async def refill():
        await manager.start_kernel()

    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: asyncio.run(refill())).result()
    assert os.getpriority(os.PRIO_PROCESS, sleeper) == NORMAL and manager._lowered == set()


def test_root_may_give_priority_back():
    assert present.may_give_priority_back() == may_raise_priority()


# ---------------------------------------------------------------- the page client's frames


def message_parts():
    header = {"msg_id": "1", "username": "student", "session": "s", "msg_type": "comm_msg", "version": "5.3",
              "date": "1970-01-01T00:00:00.000000Z"}
    content = {"comm_id": "c", "data": {"method": "update", "state": {"value": 31}, "buffer_paths": []}}
    return header, content


def test_frames_match_jupyter_servers_own_v1_protocol():
    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1,
        serialize_msg_to_ws_v1,
    )

    header, content = message_parts()
    frame = voila_client.encode("shell", header, content, {"version": "1.0.0"})
    channel, parts = deserialize_msg_from_ws_v1(frame)  # as the server reads what a page sends
    assert channel == "shell"
    assert [json.loads(p) for p in parts] == [header, {}, {"version": "1.0.0"}, content]

    # As the server writes to a page: the client reads the same message, buffers included.
    picture = b"\x89PNG\r\n fake picture bytes"
    parts = [json.dumps(p).encode() for p in (header, {"msg_id": "0"}, {}, content)] + [picture]
    channel, got_header, got_content, buffers = voila_client.decode(serialize_msg_to_ws_v1(parts, "iopub"))
    assert (channel, got_header, got_content, buffers) == ("iopub", header, content, [picture])


def test_decode_reads_back_what_encode_wrote():
    header, content = message_parts()
    assert voila_client.decode(voila_client.encode("control", header, content)) == ("control", header, content, [])
