"""simtune_tvm: score TVM tuning candidates with simtune's predicted run time instead of running them.

Two runners, shaped like the two TVM tuning frameworks call them:

* ``SimtuneRunner`` — MetaSchedule's ``Runner``: ``run(list[RunnerInput]) -> list[RunnerFuture]``;
  each future has ``done()`` and ``result()``, the result has ``run_secs`` (a list with one float,
  the predicted seconds per call) and ``error_msg`` (``None`` on success).
* ``SimtuneAutoTVMRunner`` — AutoTVM's runner: ``run(measure_inputs, build_results) ->
  list[MeasureResult]`` with ``costs``, ``error_no``, ``all_cost`` and ``timestamp``, plus the
  ``set_task`` / ``get_build_kwargs`` / ``n_parallel`` / ``timeout`` members AutoTVM's tuner uses.

What simtune can score. A candidate's artefact (``RunnerInput.artifact_path`` or
``BuildResult.filename``) must be one of:

* a simtune kernel binary (an ELF built by ``simtune build`` / ``simtune.build_kernel``), or
* a C source file (``*.c``) defining ``void simtune_kernel(T0* a0, T1* a1, ...)`` with one pointer per
  argument; its buffers come from the argument info TVM passes along (``args_info`` of MetaSchedule,
  ``arg_info`` of AutoTVM: dtype and shape per argument). Every argument is an input except the last,
  which is the output (change it with ``output_args``).

A shared library exported by TVM's default builders is not such an artefact: pair the runner with a
builder that emits the kernel as C (e.g. TVM's ``c`` target with a small ``simtune_kernel`` wrapper
around the generated function) or as a simtune kernel binary.

Dropping it into MetaSchedule (TVM installed)::

    from tvm import meta_schedule as ms
    from simtune_tvm import SimtuneRunner, as_meta_schedule_runner

    runner = as_meta_schedule_runner(SimtuneRunner(target="cortex-a72", model="a72.model"))
    database = ms.tune_tir(mod, target, work_dir, max_trials_global=512,
                           builder=my_c_builder, runner=runner)

Dropping it into AutoTVM::

    from tvm import autotvm
    from simtune_tvm import SimtuneAutoTVMRunner

    measure_option = autotvm.measure_option(builder=my_c_builder,
                                            runner=SimtuneAutoTVMRunner(target="host-x86-64"))
    tuner.tune(n_trial=512, measure_option=measure_option)

Without TVM the runners work on any objects with the same attributes, which is how the tests call
them. Candidates of one ``run`` call are built and simulated in parallel by a ``simtune.Tuner``;
results are cached by binary content across calls, so a candidate TVM proposes twice costs a lookup.

The near-tie gate (``simtune.Tuner``'s default ranking) is not applied here: TVM keeps the candidate
with the smallest ``run_secs`` over all batches, one number per candidate, while the gate is an order
over a whole set. Each candidate's figure is the model's predicted seconds. To rank finalists under
the gate, rank them again with ``simtune.Tuner`` or pass their predicted seconds and
``CandidateResult.estimate_cycles`` to ``simtune.near_tie_order``.
"""

import collections
import concurrent.futures
import os
import time

import simtune

__all__ = [
    "RunnerResult", "SimtuneRunnerFuture", "SimtuneRunner", "SimtuneAutoTVMRunner", "MeasureResult",
    "MeasureErrorNo", "buffers_from_args", "as_meta_schedule_runner",
]

_DTYPES = {"float32": "f32", "float64": "f64", "int32": "i32", "int8": "i8",
           "f32": "f32", "f64": "f64", "i32": "i32", "i8": "i8"}


class RunnerResult:
    """The result of one MetaSchedule candidate: run_secs (list of floats) or error_msg."""

    def __init__(self, run_secs=None, error_msg=None):
        self.run_secs = run_secs
        self.error_msg = error_msg

    def __repr__(self):
        return f"RunnerResult(run_secs={self.run_secs!r}, error_msg={self.error_msg!r})"


class SimtuneRunnerFuture:
    """MetaSchedule's RunnerFuture: done() polls, result() waits for the candidate's batch."""

    def __init__(self, batch, index):
        self._batch = batch
        self._index = index

    def done(self):
        return self._batch.done()

    def result(self):
        try:
            outcome = self._batch.result()[self._index]
        except Exception as error:  # the whole batch failed (bad model, bad target ...)
            return RunnerResult(None, f"simtune: {error}")
        if isinstance(outcome, str):
            return RunnerResult(None, outcome)
        return RunnerResult([outcome], None)


def _shape_and_dtype(arg):
    """(shape, dtype string) of one argument description, in any of the forms TVM uses."""
    if hasattr(arg, "as_json"):  # MetaSchedule TensorInfo: ["TENSOR", "float32", [128, 128]]
        _, dtype, shape = arg.as_json()
        return list(shape), str(dtype)
    if hasattr(arg, "shape") and hasattr(arg, "dtype"):
        return [int(d) for d in arg.shape], str(arg.dtype)
    first, second = arg  # AutoTVM: (shape, dtype); also accepted: (dtype, shape)
    if isinstance(first, str):
        return list(second), first
    return list(first), str(second)


def buffers_from_args(args_info, output_args=(-1,)):
    """simtune buffer spec ("a0:f32:16384:in;...") from TVM argument descriptions."""
    count = len(args_info)
    outputs = {i % count for i in output_args} if count else set()
    parts = []
    for i, arg in enumerate(args_info):
        shape, dtype = _shape_and_dtype(arg)
        if dtype not in _DTYPES:
            raise ValueError(f"argument {i}: simtune has no element type for dtype '{dtype}' "
                             f"(known: float32, float64, int32, int8)")
        elements = 1
        for d in shape:
            elements *= int(d)
        parts.append(f"a{i}:{_DTYPES[dtype]}:{elements}:{'out' if i in outputs else 'in'}")
    return ";".join(parts)


def _candidate(name, artifact, args_info, output_args, flags):
    """A simtune.Candidate from an artefact path: a kernel binary or a C source file."""
    if str(artifact).endswith(".c"):
        with open(artifact, encoding="utf-8") as f:
            source = f.read()
        return simtune.Candidate.from_source(name, source, buffers_from_args(args_info, output_args), list(flags))
    return simtune.Candidate.from_binary(name, simtune.KernelBinary.load(os.fspath(artifact)))


class _Scorer:
    """Shared by both runners: one Tuner (and its cache) and one thread running batches."""

    def __init__(self, target, model, simulator, workers, flags, output_args):
        self.target = target
        self.model = model
        self.simulator = simulator
        self.workers = workers
        self.flags = tuple(flags)
        self.output_args = tuple(output_args)
        self._tuner = None
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="simtune")

    def tuner(self):
        if self._tuner is None:
            self._tuner = simtune.Tuner(target=self.target, model=self.model, simulator=self.simulator,
                                        workers=self.workers)
        return self._tuner

    def score(self, items):
        """items: list of (artifact or None, args_info, error or None) → list of seconds or error strings."""
        outcomes = [None] * len(items)
        candidates, positions = [], []
        for i, (artifact, args_info, error) in enumerate(items):
            if error is not None:
                outcomes[i] = f"build failed: {error}"
                continue
            try:
                candidates.append(_candidate(f"candidate-{i}", artifact, args_info, self.output_args, self.flags))
                positions.append(i)
            except (simtune.Error, ValueError) as e:
                outcomes[i] = f"simtune: {e}"
            except OSError as e:
                outcomes[i] = f"simtune: cannot read {artifact}: {e}"
        if candidates:
            # Each future carries its own candidate's error, also when all of a batch failed.
            for r in self.tuner().rank(candidates, allow_all_failed=True):
                outcomes[positions[r.index]] = r.predicted_seconds if r.ok else f"simtune: {r.error}"
        return outcomes

    def submit(self, items):
        return self._executor.submit(self.score, items)


class SimtuneRunner:
    """A MetaSchedule-style runner that predicts instead of measuring.

    target: a simtune target name ("host-x86-64", "cortex-a72", "sifive-u74") or simtune.Target.
    model: None (the target's default model), "analytic", a model file path, or a fitted simtune predictor.
    simulator: whose stats a predictor object was trained on ("unicorn" or "qemu").
    workers: parallel simulations (0 = one per core).
    flags: extra compiler flags for C-source artefacts.
    output_args: which arguments are outputs (indices, negative from the end).
    """

    def __init__(self, target="host-x86-64", model=None, simulator="", workers=0, flags=(), output_args=(-1,)):
        self._scorer = _Scorer(target, model, simulator, workers, flags, output_args)

    def run(self, runner_inputs):
        """MetaSchedule: one RunnerFuture per RunnerInput (artifact_path, device_type, args_info)."""
        items = [(inp.artifact_path, list(inp.args_info), None) for inp in runner_inputs]
        batch = self._scorer.submit(items)
        return [SimtuneRunnerFuture(batch, i) for i in range(len(items))]


def as_meta_schedule_runner(runner):
    """Wraps a SimtuneRunner as a real tvm.meta_schedule Runner (needs TVM; not exercised in simtune's CI)."""
    from tvm.meta_schedule.runner import PyRunner, RunnerFuture, RunnerResult as TvmRunnerResult
    from tvm.meta_schedule.utils import derived_object

    @derived_object
    class _Future(RunnerFuture):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def done(self):
            return self.inner.done()

        def result(self):
            r = self.inner.result()
            return TvmRunnerResult(run_secs=r.run_secs, error_msg=r.error_msg)

    @derived_object
    class _Runner(PyRunner):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def run(self, runner_inputs):
            return [_Future(f) for f in self.inner.run(runner_inputs)]

    return _Runner(runner)


# ---- AutoTVM ----------------------------------------------------------------------------------------

class MeasureErrorNo:
    """AutoTVM's error numbers (tvm.autotvm.measure.MeasureErrorNo)."""
    NO_ERROR = 0
    INSTANTIATION_ERROR = 1
    COMPILE_HOST = 2
    COMPILE_DEVICE = 3
    RUNTIME_DEVICE = 4
    WRONG_ANSWER = 5
    BUILD_TIMEOUT = 6
    RUN_TIMEOUT = 7
    UNKNOWN_ERROR = 8


try:  # the real types when TVM is installed, so AutoTVM's tuners and loggers accept the results
    from tvm.autotvm.measure import MeasureResult  # type: ignore
except ImportError:
    MeasureResult = collections.namedtuple("MeasureResult", ["costs", "error_no", "all_cost", "timestamp"])


def _error_number(message):
    if message.startswith("build failed") or "build failed" in message:
        return MeasureErrorNo.COMPILE_HOST
    if "time limit" in message or "instruction limit" in message:
        return MeasureErrorNo.RUN_TIMEOUT
    if "simulation fault" in message:
        return MeasureErrorNo.RUNTIME_DEVICE
    return MeasureErrorNo.UNKNOWN_ERROR


class SimtuneAutoTVMRunner:
    """An AutoTVM-style runner that predicts instead of measuring (same arguments as SimtuneRunner)."""

    def __init__(self, target="host-x86-64", model=None, simulator="", workers=0, flags=(), output_args=(-1,),
                 timeout=600, n_parallel=64):
        self._scorer = _Scorer(target, model, simulator, workers, flags, output_args)
        self.timeout = timeout
        self.n_parallel = n_parallel  # AutoTVM hands over this many candidates per run() call
        self.task = None

    def set_task(self, task):
        self.task = task
        return {}

    def get_build_kwargs(self):
        return {}

    def run(self, measure_inputs, build_results):
        """One MeasureResult per (measure input, build result); costs = (predicted seconds,)."""
        start = time.time()
        items = []
        for build in build_results:
            error = getattr(build, "error", None)
            items.append((getattr(build, "filename", None), list(getattr(build, "arg_info", ()) or ()), error))
        outcomes = self._scorer.submit(items).result(timeout=self.timeout)
        elapsed = time.time() - start
        results = []
        for outcome in outcomes:
            if isinstance(outcome, str):
                results.append(MeasureResult((RuntimeError(outcome),), _error_number(outcome), elapsed, time.time()))
            else:
                results.append(MeasureResult((outcome,), MeasureErrorNo.NO_ERROR, elapsed, time.time()))
        return results
