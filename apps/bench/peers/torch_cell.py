"""The PyTorch peer of `pnpm bench perf`: lopt's paper cell and its MNIST meta-iteration, the same
computation as lopt's, written with PyTorch on one thread, so the bench can time both side by side.

The cell (packages/cell): each gradient g becomes (log|g|/p, sign g) if |g| >= e^-p else
(-1, e^p g), with p = 10 (NaN as 0, +-Inf clamped to +-FLOAT32_MAX); two LSTM layers of 20 units
(kernel [4H, in + H], gates i, f, g, o; z = W [x; h] + b, c = f c + i tanh g, h = o tanh c); the
update is outputScale (w_out h + b_out) with outputScale 0.1. Coordinates are the columns of every
[features, n] activation, as in lopt.

Protocol (apps/bench/src/perf-peer.ts): one JSON object per line on stdin, one answer per line on
stdout. The first line out is {"ready": true, "torch": ..., "python": ..., "blas": ...}. Requests:
  {"workload": "cell", "n": 15910, "steps": 20}   a traced unroll, forward + backward -> {"ms": ...}
  {"workload": "mnist", "batch": 128, "steps": 100, "unroll": 20, "hidden": 20}
                                                  one meta-iteration -> {"ms": ...}
  {"workload": "check", "config": {...}, "weights": {name: [numbers]}, "grads": [[n numbers], ...],
   "targets": [[n numbers], ...]}                 -> {"updates": [...], "dWeights": {name: [...]}}
A request that fails gets {"error": "..."}. Timings exclude making the random inputs.
"""
import json
import math
import sys
import time

import torch

torch.set_num_threads(1)
FLOAT32_MAX = 3.4028234663852886e38


def weight_shapes(hidden, inputs=2):
    shapes = []
    for l, units in enumerate(hidden):
        shapes += [(f"lstm_{l}/kernel", (4 * units, inputs + units)), (f"lstm_{l}/bias", (4 * units,))]
        inputs = units
    return shapes + [("output/kernel", (1, inputs)), ("output/bias", (1,))]


def init_weights(hidden, gen):
    """lopt's initCellWeights: kernels N(0, 1/fan_in), forget-gate bias 1, read-out N(0, 0.01/H)."""
    weights = {}
    for name, shape in weight_shapes(hidden):
        if name.endswith("/kernel"):
            std = (0.1 if name == "output/kernel" else 1.0) / math.sqrt(shape[1])
            w = torch.randn(shape, generator=gen) * std
        else:
            w = torch.zeros(shape)
            if name.startswith("lstm_"):
                w[shape[0] // 4 : shape[0] // 2] = 1.0
        weights[name] = w.requires_grad_()
    return weights


class Cell:
    def __init__(self, weights, hidden=(20, 20), p=10.0, output_scale=0.1):
        self.w, self.hidden, self.p, self.scale = weights, tuple(hidden), p, output_scale
        # The threshold e^-p in float32, as lopt compares it.
        self.threshold = torch.tensor(math.exp(-p), dtype=torch.float32).item()

    def zero_state(self, n):
        return [torch.zeros(units, n) for units in self.hidden for _ in (0, 1)]

    def features(self, g):
        g = torch.nan_to_num(g, nan=0.0, posinf=FLOAT32_MAX, neginf=-FLOAT32_MAX)
        a = g.abs()
        big = a >= self.threshold
        log_part = torch.log(torch.clamp(a, min=self.threshold)) / self.p
        row0 = torch.where(big, log_part, torch.full_like(g, -1.0))
        row1 = torch.where(big, torch.sign(g), g * math.exp(self.p))
        return torch.stack([row0, row1])

    def step(self, g, state):
        """One step for gradients g [n] and state [h_0, c_0, h_1, c_1] ([H, n] each): (update [n], new state)."""
        x, new = self.features(g), []
        for l in range(len(self.hidden)):
            h, c = state[2 * l], state[2 * l + 1]
            z = torch.addmm(self.w[f"lstm_{l}/bias"][:, None], self.w[f"lstm_{l}/kernel"], torch.cat([x, h]))
            i, f, gg, o = z.chunk(4)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
            h = torch.sigmoid(o) * torch.tanh(c)
            new += [h, c]
            x = h
        out = torch.addmm(self.w["output/bias"][:, None], self.w["output/kernel"], x)
        return (out * self.scale)[0], new


_cache = {}


def cell_workload(req):
    """lopt's measureTracedCell: a 20-step unroll on fixed gradients, then dL/dweights of sum_k update_k . g_k."""
    n, steps = int(req["n"]), int(req.get("steps", 20))
    key = ("cell", n, steps)
    if key not in _cache:
        gen = torch.Generator().manual_seed(1)
        grads = [torch.randn(n, generator=gen) * 1e-3 for _ in range(steps)]
        _cache[key] = (Cell(init_weights((20, 20), gen)), grads)
    cell, grads = _cache[key]
    t0 = time.perf_counter()
    state, loss = cell.zero_state(n), 0.0
    for g in grads:
        update, state = cell.step(g, state)
        loss = loss + torch.dot(update, g)
    torch.autograd.grad(loss, list(cell.w.values()))
    return {"ms": (time.perf_counter() - t0) * 1e3}


def mlp_loss(theta, x, y, hidden):
    """lopt's mlpTask: 784-hidden-10, sigmoid, softmax cross-entropy (batch mean); theta = [W1, b1, W2, b2] flattened."""
    sizes = [784 * hidden, hidden, hidden * 10, 10]
    w1, b1, w2, b2 = torch.split(theta, sizes)
    h = torch.sigmoid(x @ w1.view(784, hidden) + b1)
    return torch.nn.functional.cross_entropy(h @ w2.view(hidden, 10) + b2, y)


def value_and_grad(theta, x, y, hidden):
    """f(theta) and its gradient, off the meta-graph (first order: the cell's inputs are constants)."""
    leaf = theta.detach().requires_grad_()
    loss = mlp_loss(leaf, x, y, hidden)
    (grad,) = torch.autograd.grad(loss, leaf)
    return loss.item(), grad


def mnist_workload(req):
    """One meta-iteration of lopt's truncated BPTT on the MNIST MLP: T steps in unrolls of U, one Adam step per unroll.

    The first-order meta-gradient of L = sum_s f(theta_s) is that of sum_s theta_s . grad f(theta_s),
    the gradients held constant: d theta_s / d update_k = I for s > k, as in lopt's traced backward.
    Random data of MNIST's shape (10,000 images of 784 pixels in [0, 1], labels 0..9), not MNIST.
    """
    batch, steps, unroll, hidden = int(req["batch"]), int(req["steps"]), int(req["unroll"]), int(req.get("hidden", 20))
    key = ("mnist", hidden)
    if key not in _cache:
        gen = torch.Generator().manual_seed(2)
        cell = Cell(init_weights((20, 20), gen))
        data = (torch.rand(10_000, 784, generator=gen), torch.randint(0, 10, (10_000,), generator=gen))
        _cache[key] = (cell, torch.optim.Adam(cell.w.values(), lr=1e-3), data, gen)
    cell, adam, (images, labels), gen = _cache[key]
    n = 784 * hidden + hidden + hidden * 10 + 10
    batches = [torch.randint(0, images.shape[0], (batch,), generator=gen) for _ in range(steps + 1)]
    t0 = time.perf_counter()
    theta = torch.randn(n, generator=gen) * 0.01
    state = cell.zero_state(n)
    _, grad = value_and_grad(theta, images[batches[0]], labels[batches[0]], hidden)
    for start in range(0, steps, unroll):
        theta, state = theta.detach(), [s.detach() for s in state]
        surrogate = 0.0
        for t in range(start, start + unroll):
            update, state = cell.step(grad, state)
            theta = theta + update
            idx = batches[t + 1]
            _, grad = value_and_grad(theta, images[idx], labels[idx], hidden)
            surrogate = surrogate + torch.dot(theta, grad)
        adam.zero_grad()
        surrogate.backward()
        adam.step()
    return {"ms": (time.perf_counter() - t0) * 1e3}


def check_workload(req):
    """The cell's updates for given weights and gradients, and dL/dweights of sum_k update_k . targets_k."""
    config = req.get("config", {})
    hidden = tuple(config.get("hiddenSizes", (20, 20)))
    weights = {name: torch.tensor(req["weights"][name], dtype=torch.float32).view(shape).requires_grad_() for name, shape in weight_shapes(hidden)}
    cell = Cell(weights, hidden, float(config.get("p", 10.0)), float(config.get("outputScale", 0.1)))
    grads = [torch.tensor(g, dtype=torch.float32) for g in req["grads"]]
    targets = [torch.tensor(r, dtype=torch.float32) for r in req.get("targets", [])]
    state, updates, loss = cell.zero_state(grads[0].shape[0]), [], 0.0
    for k, g in enumerate(grads):
        update, state = cell.step(g, state)
        updates.append(update.detach().tolist())
        if k < len(targets):
            loss = loss + torch.dot(update, targets[k])
    answer = {"updates": updates}
    if targets:
        d = torch.autograd.grad(loss, list(weights.values()))
        answer["dWeights"] = {name: t.flatten().tolist() for name, t in zip(weights, d)}
    return answer


def blas_library():
    """The BLAS library this process loaded (Debian's python3-torch takes whichever libblas.so.3 is selected)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    openblas = sorted(p for p in paths if "openblas" in p.rsplit("/", 1)[-1])
    return (openblas or sorted(paths) or ["unknown"])[0]


WORKLOADS = {"cell": cell_workload, "mnist": mnist_workload, "check": check_workload}


def main():
    ready = {"ready": True, "torch": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads(), "blas": blas_library()}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            answer = WORKLOADS[req["workload"]](req)
        except Exception as error:  # one bad request is answered, not fatal
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
