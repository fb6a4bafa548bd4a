"""rnnbook.check: every checker on every kind of bad input, with the exact diagnosis it must give.

Each "student" below is a small hand-written numpy implementation with one deliberate mistake;
the checker must name that mistake (a diagnosis appears only when it reproduces the output, so a
wrong diagnosis here is a bug), never raise, and answer in a line without a traceback.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnbook import rnn_backward, sigmoid
from rnnbook import check
from rnnbook.check import (CheckFailed, Feedback, check_bptt, check_gru_cell, check_gru_forward,
                           check_lstm_cell, check_lstm_forward, check_rnn_forward, check_rnn_step)


def W(p, key, bug, transposed="T"):
    """A weight as a student would use it: transposed as it should be, or not (``bug == 'T'``)."""
    return p[key] if bug == transposed else p[key].T


# ---------------------------------------------------------------------------------------------
# Students: the RNN
# ---------------------------------------------------------------------------------------------
def rnn_step_student(bug=None):
    def rnn_step(x_t, h_prev, params):
        W_ih, W_hh = W(params, "weight_ih_l0", bug), W(params, "weight_hh_l0", bug)
        if bug == "hh_T":
            W_hh = params["weight_hh_l0"]
        if bug == "T_ih":
            W_ih = params["weight_ih_l0"]
        z = x_t @ W_ih + params["bias_ih_l0"] + h_prev @ W_hh + params["bias_hh_l0"]
        if bug == "no_bias_hh":
            z = z - params["bias_hh_l0"]
        h = z if bug == "linear" else np.tanh(z)
        if bug == "shape":
            return h.T
        if bug == "dtype":
            return h.astype(np.float32)
        if bug == "int":
            out = np.zeros(h.shape, dtype=int)
            out[:] = h
            return out
        if bug == "none":
            return None
        if bug == "nan":
            h[0, 0] = np.nan
        if bug == "raise":
            raise KeyError("weight_ih")
        if bug == "tuple":
            return h, z
        if bug == "time":
            return h_prev
        if bug == "inplace":
            h_prev += 1.0
        return h
    return rnn_step


def rnn_forward_student(bug=None):
    step = rnn_step_student("T" if bug == "T" else None)

    def rnn_forward(x, h0, params):
        outs, h = [], (np.zeros_like(h0) if bug == "zeros" else h0)
        for t in range(x.shape[0]):
            if bug == "raise":
                x_t = x[t + 1]  # off the end at the last step: IndexError
            else:
                x_t = x[t]
            if bug == "time":
                outs.append(h)  # appended before the update: out[t] holds h_{t}
            h = step(x_t, h, params)
            if bug != "time":
                outs.append(h)
        out = np.stack(outs)
        if bug == "shape":
            out = out.transpose(1, 0, 2)
        if bug == "dtype":
            out = out.astype(np.float32)
        if bug == "none":
            return None
        if bug == "nan":
            out[2:] = np.inf
        if bug == "tuple":
            return out, h, h0
        if bug == "list":
            return list(out), h
        return out, h
    return rnn_forward


def rnn_backward_student(bug=None):
    def rnn_backward(x, h0, params, d_out):
        W_ih, W_hh = params["weight_ih_l0"], params["weight_hh_l0"]
        T = x.shape[0]
        hs = [h0]
        for t in range(T):
            hs.append(np.tanh(x[t] @ W_ih.T + params["bias_ih_l0"] + hs[-1] @ W_hh.T
                              + params["bias_hh_l0"]))
        g = {k: np.zeros_like(v) for k, v in params.items()}
        if bug == "T":
            g["weight_ih_l0"] = 0.0  # takes the shape of whatever is added to it
        dx = np.zeros_like(x)
        dh_next = np.zeros_like(h0)
        for t in reversed(range(T)):
            dh = d_out[t] + (0.0 if bug == "no_bptt" else dh_next)
            delta = (1 - hs[t + 1] ** 2) * dh
            g["weight_ih_l0"] += (x[t].T @ delta) if bug == "T" else (delta.T @ x[t])
            g["weight_hh_l0"] += delta.T @ (hs[t + 1] if bug == "time" else hs[t])
            g["bias_ih_l0"] += delta.sum(axis=0)
            dx[t] = delta @ W_ih
            dh_next = delta @ W_hh
        g["bias_hh_l0"] = g["bias_ih_l0"].copy()
        g["x"], g["h0"] = dx, dh_next
        if bug == "hh_T":
            g["weight_hh_l0"] = g["weight_hh_l0"].T
        if bug == "double":
            g["weight_hh_l0"] *= 2
        if bug == "shape":
            g["bias_ih_l0"] = np.tile(g["bias_ih_l0"], (x.shape[1], 1))
        if bug == "dtype":
            g["weight_hh_l0"] = g["weight_hh_l0"].astype(np.float32)
        if bug == "nan":
            g["weight_ih_l0"][0, 0] = np.nan
        if bug == "raise":
            raise ValueError("shapes do not match")
        if bug == "none":
            return None
        if bug == "tuple":
            return g["weight_ih_l0"], g["weight_hh_l0"], g["bias_ih_l0"]
        if bug == "names":
            return {"W_xh": g["weight_ih_l0"], "W_hh": g["weight_hh_l0"]}
        return g
    return rnn_backward


# ---------------------------------------------------------------------------------------------
# Students: the LSTM (gate order i, f, g, o unless the bug says otherwise)
# ---------------------------------------------------------------------------------------------
def lstm_cell_student(bug=None, order="ifgo"):
    def lstm_cell(x_t, state, params):
        h_prev, c_prev = state
        W_ih, W_hh = W(params, "weight_ih_l0", bug), W(params, "weight_hh_l0", bug)
        if bug == "T_hh":
            W_hh = params["weight_hh_l0"]
        z = x_t @ W_ih + params["bias_ih_l0"] + h_prev @ W_hh + params["bias_hh_l0"]
        blocks = dict(zip(order, np.split(z, 4, axis=1)))
        i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"])
        g = np.tanh(blocks["g"])
        c = f * c_prev + i * g
        h = o * np.tanh(c_prev if bug == "time" else c)
        if bug == "shape":
            return h.T, c.T
        if bug == "dtype":
            return h.astype(np.float32), c.astype(np.float32)
        if bug == "none":
            return None
        if bug == "nan":
            c = c / 0.0 * 0.0
        if bug == "raise":
            raise RuntimeError("gate sizes differ")
        if bug == "tuple":
            return h, c, o
        if bug == "swap":
            return c, h
        if bug == "stacked":
            return z, c
        return h, c
    return lstm_cell


def lstm_forward_student(bug=None, order="ifgo"):
    cell = lstm_cell_student("T" if bug == "T" else None, order)

    def lstm_forward(x, state0, params):
        (h, c), outs = state0, []
        for t in range(x.shape[0]):
            if bug == "time":
                outs.append(h)
            h, c = cell(x[t], (h, c), params)
            if bug != "time":
                outs.append(h)
        out = np.stack(outs)
        if bug == "shape":
            out = out[:-1]
        if bug == "dtype":
            out = out.astype(np.float16)
        if bug == "none":
            return None
        if bug == "nan":
            out[1, 0, 0] = np.nan
        if bug == "raise":
            raise ZeroDivisionError("division by zero")
        if bug == "tuple":
            return out, h, c
        return out, (h, c)
    return lstm_forward


def lstm_backward_student(bug=None):
    """Chapter 5's backward pass with one mistake; the correct one is rnnbook.lstm_backward."""
    def lstm_backward_(x, state0, params, d_out):
        (h0, c0), (W_ih, W_hh) = state0, (params["weight_ih_l0"], params["weight_hh_l0"])
        T, H = x.shape[0], h0.shape[1]
        hs, cs, gates = [h0], [c0], []
        for t in range(T):
            z = x[t] @ W_ih.T + params["bias_ih_l0"] + hs[-1] @ W_hh.T + params["bias_hh_l0"]
            i, f, g, o = np.split(z, 4, axis=1)
            i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
            cs.append(f * cs[-1] + i * g)
            hs.append(o * np.tanh(cs[-1]))
            gates.append((i, f, g, o))
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
        for t in reversed(range(T)):
            i, f, g, o = gates[t]
            tanh_c = np.tanh(cs[t + 1])
            dh = d_out[t] + dh_next
            dc = (0.0 if bug == "no_carousel" else dc_next) + dh * o * (1 - tanh_c ** 2)
            parts = {"i": dc * g * i * (1 - i), "f": dc * cs[t] * f * (1 - f),
                     "g": dc * i * (1 - g ** 2), "o": dh * tanh_c * o * (1 - o)}
            order = "ifog" if bug == "order" else "ifgo"
            dz = np.concatenate([parts[k] for k in order], axis=1)
            grads["weight_ih_l0"] += dz.T @ x[t]
            grads["weight_hh_l0"] += dz.T @ (hs[t + 1] if bug == "time" else hs[t])
            grads["bias_ih_l0"] += dz.sum(axis=0)
            dh_next = dz @ W_hh
            dc_next = dc * f
        grads["bias_hh_l0"] = grads["bias_ih_l0"].copy()
        if bug == "T":
            grads["weight_hh_l0"] = grads["weight_hh_l0"].T
        if bug == "half":
            grads["weight_ih_l0"] = grads["weight_ih_l0"] / 2
        del H
        return grads
    return lstm_backward_


# ---------------------------------------------------------------------------------------------
# Students: the GRU (PyTorch's convention)
# ---------------------------------------------------------------------------------------------
def gru_cell_student(bug=None, order="rzn"):
    def gru_cell(x_t, h_prev, params):
        W_ih, W_hh = W(params, "weight_ih_l0", bug), W(params, "weight_hh_l0", bug)
        gi = dict(zip(order, np.split(x_t @ W_ih + params["bias_ih_l0"], 3, axis=1)))
        gh = dict(zip(order, np.split(h_prev @ W_hh + params["bias_hh_l0"], 3, axis=1)))
        r, z = sigmoid(gi["r"] + gh["r"]), sigmoid(gi["z"] + gh["z"])
        if bug == "reset_before":
            W_hn = np.split(params["weight_hh_l0"], 3)[2]
            n = np.tanh(gi["n"] + (r * h_prev) @ W_hn.T + np.split(params["bias_hh_l0"], 3)[2])
        else:
            n = np.tanh(gi["n"] + r * gh["n"])
        h = z * n + (1 - z) * h_prev if bug == "z_swapped" else (1 - z) * n + z * h_prev
        if bug == "shape":
            return h[None]
        if bug == "dtype":
            return h.astype(np.int32)
        if bug == "none":
            return None
        if bug == "nan":
            h[:, -1] = -np.inf
        if bug == "raise":
            raise IndexError("list index out of range")
        if bug == "tuple":
            return (h,)
        if bug == "time":
            return h_prev
        return h
    return gru_cell


def gru_forward_student(bug=None, order="rzn"):
    cell = gru_cell_student("T" if bug == "T" else None, order)

    def gru_forward(x, h0, params):
        outs, h = [], h0
        for t in range(x.shape[0]):
            if bug == "time":
                outs.append(h)
            h = cell(x[t], h, params)
            if bug != "time":
                outs.append(h)
        out = np.stack(outs)
        if bug == "shape":
            out = np.concatenate([h0[None], out])
        if bug == "dtype":
            out = out.astype(np.float32)
        if bug == "none":
            return out, None
        if bug == "nan":
            out[-1] = np.nan
        if bug == "raise":
            raise TypeError("unsupported operand type(s) for @: 'dict' and 'float'")
        if bug == "tuple":
            return (out,)
        return out, h
    return gru_forward


def gru_backward_student(bug=None):
    """The GRU's backward pass, derived by hand, with one mistake."""
    def gru_backward(x, h0, params, d_out):
        W_ih, W_hh = params["weight_ih_l0"], params["weight_hh_l0"]
        b_ih, b_hh = params["bias_ih_l0"], params["bias_hh_l0"]
        T = x.shape[0]
        hs, cache = [h0], []
        for t in range(T):
            gi = np.split(x[t] @ W_ih.T + b_ih, 3, axis=1)
            gh = np.split(hs[-1] @ W_hh.T + b_hh, 3, axis=1)
            r, z = sigmoid(gi[0] + gh[0]), sigmoid(gi[1] + gh[1])
            n = np.tanh(gi[2] + r * gh[2])
            hs.append((1 - z) * n + z * hs[-1])
            cache.append((r, z, n, gh[2]))
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        dh_next = np.zeros_like(h0)
        for t in reversed(range(T)):
            r, z, n, ghn = cache[t]
            h_prev = hs[t]
            dh = d_out[t] + dh_next
            dn = dh * (1 - z) * (1 - n ** 2)
            dz = dh * (h_prev - n) * z * (1 - z)
            dr = dn * ghn * r * (1 - r)
            dgi = np.concatenate([dr, dz, dn], axis=1)
            dgh = np.concatenate([dr, dz, dn * r], axis=1)
            if bug == "order":
                dgi = np.concatenate([dz, dr, dn], axis=1)
                dgh = np.concatenate([dz, dr, dn * r], axis=1)
            grads["weight_ih_l0"] += dgi.T @ x[t]
            grads["weight_hh_l0"] += dgh.T @ (hs[t + 1] if bug == "time" else h_prev)
            grads["bias_ih_l0"] += dgi.sum(axis=0)
            grads["bias_hh_l0"] += (dgi if bug == "same_biases" else dgh).sum(axis=0)
            dh_next = dgh @ W_hh + (0.0 if bug == "no_direct" else dh * z)
        return grads
    return gru_backward


# ---------------------------------------------------------------------------------------------
# The tables: (student, expected words in the sentence)
# ---------------------------------------------------------------------------------------------
SHAPE = "expected (B, H)"
CASE1 = "at the first test case ("

RNN_STEP = {
    "correct": (rnn_step_student(), "rnn_step is correct: it agrees with PyTorch's nn.RNNCell"),
    "wrong shape": (rnn_step_student("shape"), "It looks transposed, (H, B)"),
    "wrong dtype": (rnn_step_student("dtype"), "dtype float32 " + CASE1),
    "integer dtype": (rnn_step_student("int"), "dtype int64"),
    "None": (rnn_step_student("none"), "returned None " + CASE1),
    "NaN": (rnn_step_student("nan"), "returned NaN in 1 of"),
    "raises": (rnn_step_student("raise"), "rnn_step raised KeyError: 'weight_ih' in line"),
    "tuple of wrong length": (rnn_step_student("tuple"),
                              "returned a tuple of 2 items " + CASE1),
    "transposed weights": (rnn_step_student("T"), "works only when the weights are stored "
                                                  "transposed"),
    "transposed W_ih only": (rnn_step_student("T_ih"), "works only when weight_ih_l0 is "
                                                       "stored transposed, as (I, H)"),
    "transposed W_hh only": (rnn_step_student("hh_T"), "multiplies h_prev by W_hh where it "
                                                       "needs W_hh's transpose"),
    "off by one in time": (rnn_step_student("time"), "returns the state it was given"),
    "changes its input": (rnn_step_student("inplace"), "changed its argument h_prev in place"),
    "missing bias": (rnn_step_student("no_bias_hh"), "rnn_step leaves out bias_hh_l0."),
    "no nonlinearity": (rnn_step_student("linear"), "rnn_step leaves out the nonlinearity"),
}

RNN_FORWARD = {
    "correct": (rnn_forward_student(), "rnn_forward is correct: it agrees with PyTorch's nn.RNN"),
    "wrong shape": (rnn_forward_student("shape"), "Time and batch axes are swapped"),
    "wrong dtype": (rnn_forward_student("dtype"), "out with dtype float32"),
    "None": (rnn_forward_student("none"), "returned None " + CASE1),
    "inf": (rnn_forward_student("nan"), "returned inf in out at the first test case"),
    "raises": (rnn_forward_student("raise"), "rnn_forward raised IndexError: index"),
    "tuple of wrong length": (rnn_forward_student("tuple"), "returned a tuple of 3 items"),
    "list of steps": (rnn_forward_student("list"), "np.stack(...)"),
    "transposed weights": (rnn_forward_student("T"), "works only when the weights are stored "
                                                     "transposed"),
    "off by one in time": (rnn_forward_student("time"), "is off by one step in time in out"),
    "initial state ignored": (rnn_forward_student("zeros"), "ignores the initial state h0 and "
                                                            "starts from zeros"),
}

LSTM_CELL = {
    "correct": (lstm_cell_student(), "lstm_cell is correct: it agrees with PyTorch's "
                                     "nn.LSTMCell"),
    "wrong shape": (lstm_cell_student("shape"), "It looks transposed, (H, B)"),
    "stacked gates": (lstm_cell_student("stacked"), "Its last axis is 4H"),
    "wrong dtype": (lstm_cell_student("dtype"), "h_t with dtype float32"),
    "None": (lstm_cell_student("none"), "it should return the pair (h_t, c_t), each of shape "
                                        "(B, H)"),
    "NaN": (lstm_cell_student("nan"), "returned NaN in"),
    "raises": (lstm_cell_student("raise"), "lstm_cell raised RuntimeError: gate sizes differ"),
    "tuple of wrong length": (lstm_cell_student("tuple"), "returned a tuple of 3 items"),
    "pair swapped": (lstm_cell_student("swap"), "returned the pair in the wrong order, "
                                                "(c_t, h_t)"),
    "transposed weights": (lstm_cell_student("T"), "works only when the weights are stored "
                                                   "transposed"),
    "transposed W_hh only": (lstm_cell_student("T_hh"), "works only when weight_hh_l0 is "
                                                        "stored transposed, as (H, 4H)"),
    "off by one in time": (lstm_cell_student("time"), "computes h_t from the previous cell "
                                                      "state"),
    "gates in the wrong order": (lstm_cell_student(order="ifog"),
                                 "reads the gate blocks in the order i, f, o, g; PyTorch stacks "
                                 "them i, f, g, o"),
    "gates i, g, f, o": (lstm_cell_student(order="igfo"), "in the order i, g, f, o;"),
}

LSTM_FORWARD = {
    "correct": (lstm_forward_student(), "lstm_forward is correct"),
    "wrong shape": (lstm_forward_student("shape"), "That is one step too few"),
    "wrong dtype": (lstm_forward_student("dtype"), "dtype float16"),
    "None": (lstm_forward_student("none"), "returned None"),
    "NaN": (lstm_forward_student("nan"), "first at step 2 (out[1]"),
    "raises": (lstm_forward_student("raise"), "raised ZeroDivisionError"),
    "tuple of wrong length": (lstm_forward_student("tuple"),
                              "`return out, (h_T, c_T)`"),
    "transposed weights": (lstm_forward_student("T"), "works only when the weights are stored "
                                                      "transposed"),
    "off by one in time": (lstm_forward_student("time"), "is off by one step in time in out"),
    "gates in the wrong order": (lstm_forward_student(order="fiog"),
                                 "in the order f, i, o, g;"),
}

GRU_CELL = {
    "correct": (gru_cell_student(), "gru_cell is correct: it agrees with PyTorch's nn.GRUCell"),
    "wrong shape": (gru_cell_student("shape"), "extra leading axis of size 1"),
    "wrong dtype": (gru_cell_student("dtype"), "dtype int32"),
    "None": (gru_cell_student("none"), "returned None"),
    "inf": (gru_cell_student("nan"), "returned inf in"),
    "raises": (gru_cell_student("raise"), "raised IndexError: list index out of range"),
    "tuple of wrong length": (gru_cell_student("tuple"), "returned a tuple of 1 item "),
    "transposed weights": (gru_cell_student("T"), "works only when the weights are stored "
                                                  "transposed"),
    "off by one in time": (gru_cell_student("time"), "returns the state it was given"),
    "gates in the wrong order": (gru_cell_student(order="zrn"),
                                 "reads the gate blocks in the order z, r, n; PyTorch stacks "
                                 "them r, z, n"),
    "z and 1 - z swapped": (gru_cell_student("z_swapped"), "swaps the roles of z and 1 - z"),
    "reset before the product": (gru_cell_student("reset_before"),
                                 "applies the reset gate before the matrix product"),
}

GRU_FORWARD = {
    "correct": (gru_forward_student(), "gru_forward is correct: it agrees with PyTorch's nn.GRU"),
    "wrong shape": (gru_forward_student("shape"), "That is one step too many"),
    "wrong dtype": (gru_forward_student("dtype"), "dtype float32"),
    "None": (gru_forward_student("none"), "returned None as h_T"),
    "NaN": (gru_forward_student("nan"), "returned NaN in out at the first test case"),
    "raises": (gru_forward_student("raise"), "raised TypeError"),
    "tuple of wrong length": (gru_forward_student("tuple"), "returned a tuple of 1 item "),
    "transposed weights": (gru_forward_student("T"), "works only when the weights are stored "
                                                     "transposed"),
    "off by one in time": (gru_forward_student("time"), "is off by one step in time in out"),
    "gates in the wrong order": (gru_forward_student(order="nzr"), "in the order n, z, r;"),
}

RNN_BPTT = {
    "correct": (rnn_backward_student(), "its gradients agree with autograd through PyTorch's "
                                        "nn.RNN on 3 fresh test cases"),
    "wrong shape": (rnn_backward_student("shape"), "Sum over the batch axis as well"),
    "wrong dtype": (rnn_backward_student("dtype"), "the gradient of weight_hh_l0 with dtype "
                                                   "float32"),
    "None": (rnn_backward_student("none"), "returned None"),
    "NaN": (rnn_backward_student("nan"), "returned NaN in 1 of"),
    "raises": (rnn_backward_student("raise"), "raised ValueError: shapes do not match in line"),
    "tuple of wrong length": (rnn_backward_student("tuple"), "returned a tuple of 3 items"),
    "PyTorch's names missing": (rnn_backward_student("names"), "use PyTorch's parameter names"),
    "transposed weight_ih gradient": (rnn_backward_student("T"), "It looks transposed: a "
                                                                 "weight's gradient"),
    "transposed weight_hh gradient": (rnn_backward_student("hh_T"),
                                      "returns the transpose of the gradient of weight_hh_l0"),
    "off by one in time": (rnn_backward_student("time"), "is off by one step in time in the "
                                                         "gradient of weight_hh_l0"),
    "factor of 2": (rnn_backward_student("double"), "the gradient of weight_hh_l0 off by a "
                                                    "factor of 2"),
    "no recursion in time": (rnn_backward_student("no_bptt"), "does not carry the gradient "
                                                              "back through time"),
}

LSTM_BPTT = {
    "correct": (lstm_backward_student(), "agree with autograd through PyTorch's nn.LSTM"),
    "transposed weights": (lstm_backward_student("T"), "It looks transposed: a weight's "
                                                       "gradient"),
    "off by one in time": (lstm_backward_student("time"), "is off by one step in time"),
    "gates in the wrong order": (lstm_backward_student("order"),
                                 "stacks the gate errors in the order [dz_i, dz_f, dz_o, dz_g]"),
    "factor of 1/2": (lstm_backward_student("half"), "weight_ih_l0 off by a factor of 1/2"),
    "no carousel": (lstm_backward_student("no_carousel"),
                    "does not carry the gradient back along the cell state"),
}

GRU_BPTT = {
    "correct": (gru_backward_student(), "agree with autograd through PyTorch's nn.GRU"),
    "off by one in time": (gru_backward_student("time"), "is off by one step in time"),
    "gates in the wrong order": (gru_backward_student("order"),
                                 "stacks the gate errors in the order [dz_z, dz_r, dz_n]"),
    "no direct path": (gru_backward_student("no_direct"), "misses the direct path to h_{t-1}"),
    "equal bias gradients": (gru_backward_student("same_biases"),
                             "gives bias_hh_l0 the gradient of bias_ih_l0 at the first test "
                             "case (x of shape"),
}

TABLES = [
    (check_rnn_step, {}, RNN_STEP),
    (check_rnn_forward, {}, RNN_FORWARD),
    (check_lstm_cell, {}, LSTM_CELL),
    (check_lstm_forward, {}, LSTM_FORWARD),
    (check_gru_cell, {}, GRU_CELL),
    (check_gru_forward, {}, GRU_FORWARD),
    (check_bptt, {"cell": "rnn"}, RNN_BPTT),
    (check_bptt, {"cell": "lstm"}, LSTM_BPTT),
    (check_bptt, {"cell": "gru"}, GRU_BPTT),
]
CASES = [(checker, kwargs, kind, fn, words) for checker, kwargs, table in TABLES
         for kind, (fn, words) in table.items()]


def case_id(case):
    checker, kwargs, kind = case[:3]
    return f"{checker.__name__}{'-' + kwargs['cell'] if kwargs else ''}-{kind}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_checker_names_the_mistake(case, capsys):
    checker, kwargs, kind, fn, words = case
    result = checker(fn, **kwargs)
    assert isinstance(result, Feedback)
    assert bool(result) == (kind == "correct"), result.message
    assert words in result.message, result.message
    # One or two sentences on one line, no traceback, nothing printed while checking.
    assert "\n" not in result.message and "Traceback" not in result.message
    assert result.message.count(". ") <= 3, result.message
    assert capsys.readouterr() == ("", "")


# The kinds of bad input the issue asks for, per checker. The backward passes of the LSTM and the
# GRU share the structural checks (None, dtype, shape, NaN, raises, tuple) with the RNN's, which
# covers them; their tables cover what differs: the mistake models.
KINDS = ["wrong shape", "wrong dtype", "None", "NaN or inf", "raises", "tuple of wrong length",
         "transposed weights", "off by one in time"]
GATED = ["gates in the wrong order"]
REQUIRED = [
    (RNN_STEP, KINDS), (RNN_FORWARD, KINDS), (LSTM_CELL, KINDS + GATED),
    (LSTM_FORWARD, KINDS + GATED), (GRU_CELL, KINDS + GATED), (GRU_FORWARD, KINDS + GATED),
    (RNN_BPTT, KINDS), (LSTM_BPTT, ["transposed weights", "off by one in time"] + GATED),
    (GRU_BPTT, ["off by one in time"] + GATED),
]


@pytest.mark.parametrize("table, kinds", REQUIRED, ids=[case_id((c, k, "")) for c, k, _ in TABLES])
def test_every_bad_input_kind_is_covered(table, kinds):
    for kind in kinds:
        if kind == "NaN or inf":
            assert {"NaN", "inf"} & set(table)
        elif kind == "transposed weights":
            assert any(k.startswith("transposed") for k in table)
        else:
            assert kind in table, kind


# ---------------------------------------------------------------------------------------------
# The result object and the checkers' own behaviour
# ---------------------------------------------------------------------------------------------
def test_feedback_reads_well_in_a_notebook_and_in_a_test_cell(capsys):
    good = check_rnn_step(rnn_step_student())
    bad = check_rnn_step(rnn_step_student("none"))
    assert good and not bad
    assert repr(bad) == str(bad) == bad.message
    good.assert_ok()
    assert capsys.readouterr().out == good.message + "\n"
    with pytest.raises(CheckFailed) as raised:
        bad.assert_ok()
    assert str(raised.value) == bad.message
    assert isinstance(raised.value, AssertionError)  # so every grader counts it as a failure
    # IPython draws the error with this instead of a traceback (one line in nbgrader's feedback).
    assert raised.value._render_traceback_() == [f"\x1b[0;31mCheckFailed\x1b[0m: {bad.message}"]


def test_not_a_function_is_a_sentence_not_a_crash():
    assert "got None" in check_rnn_step(None).message
    assert "got an array of shape (2, 3)" in check_lstm_cell(np.zeros((2, 3))).message
    assert "got a dict of 4 items" not in check_bptt(5).message
    assert "without calling it" in check_bptt(5).message


def test_not_implemented_says_what_to_do():
    def rnn_step(x_t, h_prev, params):
        raise NotImplementedError()

    message = check_rnn_step(rnn_step).message
    assert "replace `raise NotImplementedError()` with your code" in message


def test_fresh_cases_depend_on_the_seed():
    """Hidden tests use other seeds: other sizes and values, and the same verdict."""
    seen = set()
    for seed in range(4):
        result = check_rnn_step(rnn_step_student("shape"), seed=seed)
        seen.add(result.message.split(" at the first test case ")[1].split(";")[0])
        assert check_rnn_step(rnn_step_student(), seed=seed)
    assert len(seen) > 1


def test_a_check_stops_at_the_first_wrong_case():
    calls = []

    def rnn_step(x_t, h_prev, params):
        calls.append(x_t.shape)
        return rnn_step_student()(x_t, h_prev, params) * (1.0 if len(calls) < 2 else 1.5)

    result = check_rnn_step(rnn_step)
    assert "at the second test case" in result.message and "differs from the reference" in \
        result.message


def test_generic_sentence_names_the_first_wrong_step():
    def rnn_forward(x, h0, params):
        out, h = rnn_forward_student()(x, h0, params)
        out[2:] *= 1.1
        return out, out[-1]

    message = check_rnn_forward(rnn_forward).message
    assert "first differs from the reference at step 3 (steps 1 to 2 are right)" in message


def test_float32_arithmetic_is_named_even_when_the_dtype_is_float64():
    def rnn_step(x_t, h_prev, params):
        p32 = {k: v.astype(np.float32) for k, v in params.items()}
        return rnn_step_student()(x_t.astype(np.float32), h_prev.astype(np.float32),
                                  p32).astype(np.float64)

    assert "only to about 1e-6, float32 precision" in check_rnn_step(rnn_step).message


def test_output_printed_by_student_code_is_not_shown(capsys):
    def rnn_step(x_t, h_prev, params):
        print("debugging", x_t.shape)
        import sys
        print("to stderr", file=sys.stderr)
        np.exp(np.array([1000.0]))  # an overflow warning
        return rnn_step_student()(x_t, h_prev, params)

    assert check_rnn_step(rnn_step)
    assert capsys.readouterr() == ("", "")


def test_a_torch_student_is_accepted():
    def gru_cell(x_t, h_prev, params):
        cell = torch.nn.GRUCell(x_t.shape[1], h_prev.shape[1]).double()
        with torch.no_grad():
            for key, value in params.items():
                getattr(cell, key[:-3]).copy_(torch.from_numpy(value))
            return cell(torch.from_numpy(x_t), torch.from_numpy(h_prev))

    assert check_gru_cell(gru_cell)


def test_bptt_takes_a_dict_with_its_inputs():
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(4, 2, 3)), rng.normal(size=(2, 5))
    params = check._draw_params(rng, "rnn", 3, 5)
    d_out = rng.normal(size=(4, 2, 5))
    grads = rnn_backward(x, h0, params, d_out)
    assert check_bptt(grads, inputs=(x, h0, params, d_out))
    grads["weight_hh_l0"] = -grads["weight_hh_l0"]
    message = check_bptt(grads, inputs=(x, h0, params, d_out)).message
    assert message.startswith("your backward pass returns the gradient of weight_hh_l0 off by a "
                              "factor of -1 (a sign error) for the given inputs")
    assert "inputs=(x, h0, params, d_out)" in check_bptt(grads).message


def test_usage_errors_of_the_teacher_raise():
    with pytest.raises(ValueError, match="cases must be an integer from 1 to 6"):
        check_rnn_step(rnn_step_student(), cases=0)
    with pytest.raises(ValueError, match="cases must be an integer from 1 to 6"):
        check_bptt(rnn_backward, cases=7)
    assert "cell must be one of" in check_bptt(rnn_backward, cell="transformer").message


# ---------------------------------------------------------------------------------------------
# The mistake models behind the diagnoses agree with PyTorch when there is no mistake
# ---------------------------------------------------------------------------------------------
def torch_module(kind, sizes, params, cell):
    """``nn.RNNCell``/``nn.LSTMCell``/``nn.GRUCell`` (or the layer) in float64, with ``params``."""
    name = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[kind] + ("Cell" if cell else "")
    module = getattr(torch.nn, name)(sizes["I"], sizes["H"]).double()
    with torch.no_grad():
        for key in check.PARAM_KEYS:
            getattr(module, key[:-3] if cell else key).copy_(torch.from_numpy(params[key]))
    return module


def torch_forward(kind, case, cell: bool):
    """PyTorch's cell for one step (``cell=True``) or its layer over the sequence, in the
    reference's structure: ``h_t``, ``(h_t, c_t)``, ``(out, h_T)`` or ``(out, (h_T, c_T))``."""
    x, state, params = case.args[:3]
    module = torch_module(kind, case.sizes, params, cell=cell)
    states = tuple(torch.from_numpy(s) for s in (state if kind == "lstm" else (state,)))
    if not cell:
        states = tuple(s[None] for s in states)  # the layer axis of nn.RNN's states
    with torch.no_grad():
        result = module(torch.from_numpy(x), states if kind == "lstm" else states[0])
    if cell:
        return tuple(r.numpy() for r in result) if kind == "lstm" else result.numpy()
    out, last = result
    return out.numpy(), (tuple(s[0].numpy() for s in last) if kind == "lstm" else last[0].numpy())


def torch_grads(kind, case) -> dict:
    """Autograd's gradients of ``sum(out * d_out)`` through ``nn.RNN``/``nn.LSTM``/``nn.GRU``."""
    x, state, params, d_out = case.args
    module = torch_module(kind, case.sizes, params, cell=False)
    xt = torch.from_numpy(x.copy()).requires_grad_()
    states = state if kind == "lstm" else (state,)
    st = [torch.from_numpy(s.copy())[None].requires_grad_() for s in states]
    out, _ = module(xt, tuple(st) if kind == "lstm" else st[0])
    out.backward(torch.from_numpy(d_out))
    grads = {key: getattr(module, key).grad.numpy().copy() for key in check.PARAM_KEYS}
    grads["x"] = xt.grad.numpy().copy()
    for name, s in zip(("h0", "c0"), st):
        grads[name] = s.grad[0].numpy().copy()
    return grads


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_reference_and_mistake_model_without_mistakes_are_pytorch(kind):
    """The reference (rnnbook's numpy) and the model behind the diagnoses,
    with no mistake switched on, equal nn.RNN/LSTM/GRU, their cells, and autograd."""
    rng = np.random.default_rng(7)
    for sequence in (True, False):
        case = check._draw_case(rng, 0, kind, sequence=sequence)
        spec = check._cell_problem(kind, sequence).spec(case)
        reference = check._reference_sequence if sequence else check._reference_cell
        want = check._flatten(torch_forward(kind, case, cell=not sequence), spec)
        assert check._tree_close(check._flatten(reference(kind, case), spec), want, 1e-13, 1e-12)
        assert check._tree_close(check._unroll(kind, case, {}), want, 1e-13, 1e-12)
    case = check._draw_case(rng, 0, kind, sequence=True, with_grad=True)
    want = torch_grads(kind, case)
    for got in (check._reference_grads(kind, case), check._unroll_grads(kind, case, {})):
        for key in want:
            assert np.allclose(got[key], want[key], atol=1e-13, rtol=1e-12), key


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_every_mistake_model_changes_the_answer(kind):
    """A hypothesis that reproduces the right answer would blame a correct student."""
    rng = np.random.default_rng(11)
    problem = check._cell_problem(kind, sequence=True)
    case = problem.draw(rng, 0)
    right = check._flatten(problem.reference(case), problem.spec(case))
    for hypothesis in problem.hypotheses:
        if hypothesis.predict is not None:
            assert not check._tree_close(hypothesis.predict(case), right), hypothesis.message
    grad_case = check._draw_case(rng, 0, kind, sequence=True, with_grad=True)
    want = check._reference_grads(kind, grad_case)
    for message, mistakes in check._grad_hypotheses(kind):
        got = check._unroll_grads(kind, grad_case, mistakes)
        assert not all(np.allclose(got[k], want[k]) for k in check.PARAM_KEYS), message


def test_a_passing_check_does_not_import_torch():
    """The numpy assignments' kernels need not load PyTorch while the student's code is right."""
    import subprocess
    import sys

    code = ("import sys, numpy as np\n"
            "from rnnbook import rnn_backward, lstm_backward, gru_backward, gru_forward\n"
            "from rnnbook.check import check_rnn_step, check_lstm_cell, check_bptt\n"
            "from rnnbook.check import check_gru_cell, check_gru_forward\n"
            "def rnn_step(x, h, p):\n"
            "    return np.tanh(x @ p['weight_ih_l0'].T + p['bias_ih_l0']"
            " + h @ p['weight_hh_l0'].T + p['bias_hh_l0'])\n"
            "assert check_rnn_step(rnn_step) and check_bptt(rnn_backward)\n"
            "assert check_bptt(lstm_backward, 'lstm') and check_bptt(gru_backward, 'gru')\n"
            "assert check_gru_cell(lambda x, h, p: gru_forward(x[None], h, p)[1])\n"
            "assert check_gru_forward(gru_forward)\n"
            "print('torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "False", result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# The building blocks for a teacher's own checks
# ---------------------------------------------------------------------------------------------
def test_check_array_answers_in_a_sentence():
    from rnnbook.check import check_array

    want = np.array([1.0, 2.0, 3.0, 4.0])
    assert check_array(want.copy(), want, "norms")
    cases = {
        "norms is None; expected an array of shape (T,) = (4,).": None,
        "norms is a list of 4 items; expected one numpy array of shape (T,) = (4,).": list(want),
        "norms has shape (3,); expected shape (T,) = (4,).": want[:3],
        "norms has dtype int64; expected float64.": want.astype(np.int64),
        "norms has NaN in 1 of 4 entries, first at step 3 (norms[2]).":
            np.array([1.0, 2.0, np.nan, 4.0]),
        "norms first differs from the expected values at step 4 (steps 1 to 3 are right): "
        "norms[3] is 5, expected 4.": np.array([1.0, 2.0, 3.0, 5.0]),
    }
    for sentence, got in cases.items():
        result = check_array(got, want, "norms", layout="(T,)", time_axis=True)
        assert not result and result.message.startswith(sentence), result.message
    # A single number (a loss, say), as a numpy scalar or a 0-d torch tensor.
    assert check_array(torch.tensor(0.25, dtype=torch.float64), 0.25, "loss")
    assert check_array(np.float64(0.3), 0.25, "loss").message == "loss is 0.3; expected 0.25."
    assert check_array(np.zeros((2, 2)), 0.25, "loss").message == \
        "loss has shape (2, 2); expected shape ()."
    assert check_array(0.25, 0.25, "loss") and not check_array(1, 0.25, "loss")


def test_check_gradcheck_reads_a_gradcheck_result():
    from rnnbook import gradcheck
    from rnnbook.check import check_gradcheck

    rng = np.random.default_rng(5)
    x, h0 = rng.normal(size=(3, 2, 2)), rng.normal(size=(2, 3))
    params = check._draw_params(rng, "rnn", 2, 3)
    d_out = rng.normal(size=(3, 2, 3))

    def loss(arrays):
        return float(np.sum(rnn_forward_student()(x, h0, arrays)[0] * d_out))

    good = rnn_backward(x, h0, params, d_out)
    result = gradcheck(loss, params, {k: good[k] for k in params})
    assert check_gradcheck(result, params)
    bad = dict(good, weight_hh_l0=2 * good["weight_hh_l0"])
    failing = gradcheck(loss, params, {k: bad[k] for k in params})
    assert "the relative error is above 1e-07 for weight_hh_l0 (" in \
        check_gradcheck(failing, params).message
    partial = gradcheck(loss, params, {"weight_ih_l0": good["weight_ih_l0"]})
    assert "leaves out weight_hh_l0, bias_ih_l0, bias_hh_l0" in \
        check_gradcheck(partial, params).message
    assert "There is no gradient check result (got None)" in check_gradcheck(None, params).message


def test_an_exception_names_the_line_of_student_code_where_it_happened():
    """The deepest frame of the student's own code, even in another function, and numpy's
    gufunc signature left out of the sentence."""
    def rnn_step(x_t, h_prev, params):
        return np.tanh(x_t @ params["weight_ih_l0"] + h_prev)

    def rnn_forward(x, h0, params):
        h, steps = h0, []
        for x_t in x:
            h = rnn_step(x_t, h, params)
            steps.append(h)
        return np.stack(steps), h

    message = check_rnn_forward(rnn_forward).message
    assert message.startswith("rnn_forward raised ValueError: matmul: Input operand 1 has a "
                              "mismatch in its core dimension 0 (size 5 is different from 4) in "
                              "line 2 of rnn_step: `return np.tanh(x_t @ params[")
    assert "gufunc" not in message
