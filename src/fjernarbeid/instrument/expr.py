"""Routing and derivation conditions: a tiny, safe expression language.

Conditions are written the way the questionnaire thinks ("q12 < 6", "q12 in (1, 2)",
"q5 == 3 and q4 != 5") and parsed with :mod:`ast` into a small tree that allows only
comparisons of variables with numbers, ``and``/``or``/``not`` and parentheses. The same tree
is evaluated on a data frame (vectorised, with three-valued logic: a condition on a missing
answer is unknown) and written as an XLSForm/XPath expression (``${q12} < 6``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fjernarbeid.errors import InstrumentError

_OPS = {
    ast.Eq: ("==", "="),
    ast.NotEq: ("!=", "!="),
    ast.Lt: ("<", "<"),
    ast.LtE: ("<=", "<="),
    ast.Gt: (">", ">"),
    ast.GtE: (">=", ">="),
}


@dataclass(frozen=True)
class Compare:
    variable: str
    op: str  # one of == != < <= > >= in notin
    values: tuple[float, ...]


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    operand: "Node"


Node = Compare | BoolOp | Not


def _number(node: ast.AST, source: str) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(node.operand, source)
    raise InstrumentError(f"condition {source!r}: expected a number, found {ast.unparse(node)!r}")


def _convert(node: ast.AST, source: str) -> Node:
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(op, tuple(_convert(v, source) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_convert(node.operand, source))
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1 or not isinstance(node.left, ast.Name):
            raise InstrumentError(
                f"condition {source!r}: write one comparison of a variable with a value at a time, "
                "joined with 'and'/'or'"
            )
        variable = node.left.id
        op, right = node.ops[0], node.comparators[0]
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, (ast.Tuple, ast.List, ast.Set)):
                raise InstrumentError(f"condition {source!r}: 'in' needs a list of codes, e.g. (1, 2)")
            values = tuple(_number(v, source) for v in right.elts)
            return Compare(variable, "in" if isinstance(op, ast.In) else "notin", values)
        if type(op) in _OPS:
            return Compare(variable, _OPS[type(op)][0], (_number(right, source),))
    raise InstrumentError(f"condition {source!r}: unsupported construct {ast.unparse(node)!r}")


@dataclass(frozen=True)
class Condition:
    """A parsed condition. ``str(cond)`` gives back its canonical source text."""

    source: str
    tree: Node

    @classmethod
    def parse(cls, source: str) -> "Condition":
        try:
            module = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise InstrumentError(f"condition {source!r} is not a valid expression: {exc.msg}") from None
        return cls(source.strip(), _convert(module.body, source))

    def __str__(self) -> str:
        return self.source

    @property
    def variables(self) -> set[str]:
        found: set[str] = set()

        def walk(n: Node) -> None:
            if isinstance(n, Compare):
                found.add(n.variable)
            elif isinstance(n, BoolOp):
                for o in n.operands:
                    walk(o)
            else:
                walk(n.operand)

        walk(self.tree)
        return found

    def evaluate(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate row-wise; returns a pandas ``boolean`` Series with <NA> where an input is missing."""
        return _eval(self.tree, frame)

    def to_xpath(self) -> str:
        """The condition as an XLSForm ``relevant``/``calculation`` expression."""
        return _xpath(self.tree, top=True)

    @classmethod
    def from_xpath(cls, xpath: str) -> "Condition":
        """Inverse of :meth:`to_xpath` for the expressions it writes."""
        text = re.sub(r"\$\{(\w+)\}", r"\1", xpath)
        text = re.sub(r"(?<![<>!=])=(?!=)", "==", text)
        return cls.parse(text)


def _eval(n: Node, frame: pd.DataFrame) -> pd.Series:
    if isinstance(n, Compare):
        if n.variable not in frame.columns:
            raise InstrumentError(f"condition refers to {n.variable!r}, which is not in the data")
        x = pd.to_numeric(frame[n.variable], errors="coerce").astype("Float64")
        if n.op == "in":
            out = x.isin(n.values)
        elif n.op == "notin":
            out = ~x.isin(n.values)
        else:
            v = n.values[0]
            out = {"==": x == v, "!=": x != v, "<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v}[n.op]
        out = out.astype("boolean")
        out[x.isna()] = pd.NA
        return out
    if isinstance(n, Not):
        return ~_eval(n.operand, frame)
    parts = [_eval(o, frame) for o in n.operands]
    result = parts[0]
    for p in parts[1:]:
        result = (result & p) if n.op == "and" else (result | p)
    return result


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def _xpath(n: Node, top: bool = False) -> str:
    if isinstance(n, Compare):
        var = "${" + n.variable + "}"
        if n.op in ("in", "notin"):
            inner = " or ".join(f"{var} = {_fmt(v)}" for v in n.values)
            inner = f"({inner})"
            return inner if n.op == "in" else f"not{inner}"
        xop = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[n.op]
        return f"{var} {xop} {_fmt(n.values[0])}"
    if isinstance(n, Not):
        return f"not({_xpath(n.operand, top=True)})"
    text = f" {n.op} ".join(_xpath(o) for o in n.operands)
    return text if top else f"({text})"


def is_true(series: pd.Series) -> np.ndarray:
    """Boolean mask of rows where a three-valued condition is definitely true."""
    return series.fillna(False).to_numpy(dtype=bool)
