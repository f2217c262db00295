"""Routing, constraint and check conditions: a small, safe expression language.

Conditions are written the way the questionnaire thinks ("dagar_heime > 0", "tilfreds in (4, 5)",
"kommune == 4622 and utdanning != 9") and parsed with :mod:`ast` into a small tree that allows only:

* comparisons of a variable with a number, a quoted code (``jobb != '0'``) or another variable
  (``municipality == home_municipality``), and ``in``/``not in`` a list of codes;
* ``selected(v7, 3)`` (option 3 of a select-multiple question is chosen) and
  ``count_selected(v7)`` compared with a number, as XLSForm's ``selected()`` and
  ``count-selected()``;
* ``regex(q, 'pattern')`` (the answer matches a regular expression, XLSForm's ``regex()``);
* ``q == ''`` / ``q != ''`` (not answered / answered);
* ``and``/``or``/``not`` and parentheses.

A variable is a name (``alder``), a name with dots as R's data sets have (``api.stu > 500``, ``item1.2``,
read as the column "api.stu"), or any column name in backticks as R writes a name that is not one
(`` `api 2000` > 500 ``).

The same tree is evaluated on a data frame (vectorised, with three-valued logic: a condition on
a missing answer is unknown) and written as an XLSForm/XPath expression (``${dagar_heime} > 0``).
:meth:`Condition.from_xpath` reads such expressions as KoboToolbox and ODK write them, with
text choice names resolved to codes when the caller gives the choice lists.

A select-multiple answer is held as its codes separated by spaces ("1 3"), as XLSForm does.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from fjernarbeid._lazy import lazy_module
from fjernarbeid.errors import InstrumentError

# imported on first evaluation: reading a questionnaire needs neither (fjernarbeid/_lazy.py)
np = lazy_module("numpy")
pd = lazy_module("pandas")

_OPS = {
    ast.Eq: ("==", "="),
    ast.NotEq: ("!=", "!="),
    ast.Lt: ("<", "<"),
    ast.LtE: ("<=", "<="),
    ast.Gt: (">", ">"),
    ast.GtE: (">=", ">="),
}
_XPATH_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

# The functions a condition may call, and what each takes.
FUNCTIONS = ("selected", "count_selected", "regex")

# Choice names by variable: {"v7": {"bredband": 1, "dont_know": 99}}, for quoted codes.
ChoiceNames = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class Compare:
    variable: str
    op: str  # one of == != < <= > >= in notin answered unanswered
    values: tuple[float, ...]
    other: str | None = None  # compared with another variable instead of values
    func: str | None = None  # "count_selected": the number of options chosen is compared
    # The variable's "don't know" codes: never less or greater than anything (<, <=, >, >= are unknown on them)
    unordered: tuple[float, ...] = ()


@dataclass(frozen=True)
class Selected:
    variable: str
    code: int


@dataclass(frozen=True)
class Regex:
    variable: str
    pattern: str


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    operand: "Node"


Node = Compare | Selected | Regex | BoolOp | Not


def _number(node: ast.AST, source: str) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(node.operand, source)
    raise InstrumentError(f"condition {source!r}: expected a number, found {ast.unparse(node)!r}")


def _code(node: ast.AST, variable: str, source: str, choices: ChoiceNames | None) -> float:
    """A number, or a quoted code: '3' is 3, 'dont_know' is the code of that choice name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return float(text) if "." in text else int(text)
        if choices is not None and variable not in choices:
            # a text column of an ordinary file (not a question of the questionnaire): compared as text
            return node.value
        names = (choices or {}).get(variable) or {}
        if text in names:
            return names[text]
        if text.casefold() in names:  # a label, as the questionnaire shows it ('Vet ikke' for vet_ikke)
            return names[text.casefold()]
        known = f" (its choices: {', '.join(sorted(names))})" if names else ""
        raise InstrumentError(f"condition {source!r}: {text!r} is not a code or choice name of {variable}{known}")
    return _number(node, source)


# Words of the language itself; any other keyword (class, for, if …) as a column name needs backticks.
_OPERATOR_WORDS = {"and", "or", "not", "in", "is", "True", "False", "None"}

# A name in backticks (R's `api.stu`, `my column`) is read as an identifier that holds it in hex.
_BACKTICK_PREFIX = "_fjernarbeid_name_"
_BACKTICKED = re.compile(_BACKTICK_PREFIX + r"([0-9a-f]*)_")
_TOKENS = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`)""")


# R's names with dots: api.stu, item1.2 (a digit after a dot, which Python's parser reads as a number), x.
_DOTTED = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.\w*)+")


def _hidden(name: str) -> str:
    return _BACKTICK_PREFIX + name.encode("utf-8").hex() + "_"


def _encode_backticks(text: str, dotted: bool = False) -> str:
    """Every `` `name` `` outside quoted text (and with ``dotted`` every name with dots, ``item1.2``) as an
    identifier the parser accepts (undone by :func:`_variable`)."""
    parts = _TOKENS.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:  # outside quotes and backticks
            # a name in backticks followed by dots (`` `y`.z ``, already encoded) is one name too: y.z
            out.append(_DOTTED.sub(lambda m: _hidden(_decode_backticks(m.group(0)).replace("`", "")), part)
                       if dotted else part)
        elif part.startswith("`"):
            out.append(_hidden(part[1:-1]))
        else:
            out.append(part)  # a quoted code or pattern: left as it is
    return "".join(out)


def _decode_backticks(text: str) -> str:
    """The text as the user wrote it: encoded names back in backticks."""
    return _BACKTICKED.sub(lambda m: "`" + bytes.fromhex(m.group(1)).decode("utf-8") + "`", text)


def _variable(node: ast.AST) -> str | None:
    """The variable a node names: ``alder``, a dotted name ``api.stu`` (R's names; the parser reads an
    attribute chain) or a name in backticks; None when the node is no name."""
    if isinstance(node, ast.Name):
        match = _BACKTICKED.fullmatch(node.id)
        return bytes.fromhex(match.group(1)).decode("utf-8") if match else node.id
    if isinstance(node, ast.Attribute):
        base = _variable(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _shown(name: str) -> str:
    """A variable as the condition language writes it: as it is if it reads back as that name, else in
    backticks."""
    plain = (name.isidentifier() and not keyword.iskeyword(name)) or _DOTTED.fullmatch(name)
    return name if plain and not _BACKTICKED.search(name) else f"`{name}`"


def _name(node: ast.AST, source: str, what: str) -> str:
    name = _variable(node)
    if name is not None:
        return name
    raise InstrumentError(f"condition {source!r}: {what} must be a question name, found {ast.unparse(node)!r}")


def _call(node: ast.Call, source: str) -> tuple[str, list[ast.AST]]:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
        raise InstrumentError(f"condition {source!r}: unsupported construct {ast.unparse(node)!r} "
                              f"(functions: {', '.join(FUNCTIONS)})")
    return node.func.id, list(node.args)


def _convert(node: ast.AST, source: str, choices: ChoiceNames | None = None) -> Node:
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(op, tuple(_convert(v, source, choices) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_convert(node.operand, source, choices))
    if isinstance(node, ast.Call):
        func, args = _call(node, source)
        if func == "selected" and len(args) == 2:
            variable = _name(args[0], source, "selected()'s first argument")
            return Selected(variable, int(_code(args[1], variable, source, choices)))
        if func == "regex" and len(args) == 2 and isinstance(args[1], ast.Constant) \
                and isinstance(args[1].value, str):
            variable = _name(args[0], source, "regex()'s first argument")
            try:
                re.compile(args[1].value)
            except re.error as exc:
                raise InstrumentError(f"condition {source!r}: {args[1].value!r} is not a valid regular "
                                      f"expression ({exc})") from None
            return Regex(variable, args[1].value)
        raise InstrumentError(f"condition {source!r}: {func}() is used as "
                              f"{'selected(question, code)' if func == 'selected' else func + '(question, ...)'} "
                              f"in a condition, not as {ast.unparse(node)!r}")
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise InstrumentError(
                f"condition {source!r}: write one comparison of a variable with a value at a time, "
                "joined with 'and'/'or'"
            )
        left, op, right = node.left, node.ops[0], node.comparators[0]
        func = None
        if isinstance(left, ast.Call):
            name, args = _call(left, source)
            if name != "count_selected" or len(args) != 1:
                raise InstrumentError(f"condition {source!r}: only count_selected(question) can be compared "
                                      f"with a number, not {ast.unparse(left)!r}")
            func, left = "count_selected", args[0]
            _name(left, source, "count_selected()'s argument")
        variable = _variable(left)
        if variable is None:
            raise InstrumentError(
                f"condition {source!r}: write one comparison of a variable with a value at a time, "
                "joined with 'and'/'or'"
            )
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, (ast.Tuple, ast.List, ast.Set)):
                raise InstrumentError(f"condition {source!r}: 'in' needs a list of codes, e.g. (1, 2)")
            values = tuple(_code(v, variable, source, choices) for v in right.elts)
            return Compare(variable, "in" if isinstance(op, ast.In) else "notin", values, func=func)
        if type(op) in _OPS:
            symbol = _OPS[type(op)][0]
            if _variable(right) is not None and func is None:
                return Compare(variable, symbol, (), other=_variable(right))
            if isinstance(right, ast.Constant) and right.value == "" and symbol in ("==", "!=") and func is None:
                return Compare(variable, "unanswered" if symbol == "==" else "answered", ())
            return Compare(variable, symbol, (_code(right, variable, source, choices),), func=func)
    raise InstrumentError(f"condition {source!r}: unsupported construct {ast.unparse(node)!r}")


# XPath → the condition language, textually (names, '=', hyphenated function names, '.').
_XPATH_NAME = re.compile(r"\$\{([^}]*)\}")
_SINGLE_EQ = re.compile(r"(?<![<>!=])=(?!=)")
_DOT = re.compile(r"(?<![\w.'\"])\.(?![\w.])")


@dataclass(frozen=True)
class Condition:
    """A parsed condition. ``str(cond)`` gives back its canonical source text."""

    source: str
    tree: Node

    @classmethod
    def parse(cls, source: str, choices: ChoiceNames | None = None) -> "Condition":
        shown = _decode_backticks(source).strip()  # as written, names in backticks included
        try:
            module = ast.parse(_encode_backticks(source.strip(), dotted=True), mode="eval")
        except SyntaxError as exc:
            reserved = [w for w in re.findall(r"[A-Za-z_]\w*", "".join(_TOKENS.split(source)[::2]))
                        if keyword.iskeyword(w) and w not in _OPERATOR_WORDS]
            hint = (f" ({reserved[0]!r} is a reserved word: a column of that name goes in backticks, "
                    f"`{reserved[0]}`)" if reserved else "")
            raise InstrumentError(f"condition {shown!r} is not a valid expression: {exc.msg}{hint}") from None
        try:
            tree = _convert(module.body, shown, choices)
        except InstrumentError as exc:
            raise InstrumentError(_decode_backticks(str(exc))) from None
        if choices and _has_text_code(module.body):
            return cls(_python(tree, top=True), tree)  # 'dont_know' written as its code
        return cls(shown, tree)

    @classmethod
    def all_of(cls, conditions: "Sequence[Condition]") -> "Condition":
        """Every one of ``conditions`` (joined with 'and'): the rows for which all hold, as R's subset of
        a subset."""
        conditions = list(conditions)
        if len(conditions) == 1:
            return conditions[0]
        return cls(" and ".join(f"({c.source})" for c in conditions), BoolOp("and", tuple(c.tree for c in conditions)))

    def __str__(self) -> str:
        return self.source

    @property
    def variables(self) -> set[str]:
        found: set[str] = set()

        def walk(n: Node) -> None:
            if isinstance(n, Compare):
                found.add(n.variable)
                if n.other:
                    found.add(n.other)
            elif isinstance(n, (Selected, Regex)):
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
        """The condition as an XLSForm ``relevant``/``constraint`` expression."""
        return _xpath(self.tree, top=True)

    @classmethod
    def from_xpath(cls, xpath: str, choices: ChoiceNames | None = None, self_name: str | None = None
                   ) -> "Condition":
        """Read an XLSForm expression: ``${v1} != '0' and selected(${v7}, 'bredband')``.

        ``choices`` resolves quoted choice names to codes; ``self_name`` is the question a
        constraint's ``.`` stands for.
        """
        bad = [name for name in _XPATH_NAME.findall(xpath) if not name.isidentifier()]
        if bad:
            raise InstrumentError(f"condition {xpath!r}: question names must be letters, digits and _ "
                                  f"(not {bad[0]!r})")
        return cls.parse(_from_xpath(xpath, self_name), choices)

    @classmethod
    def read(cls, text: str, instrument=None) -> "Condition":
        """A condition as a user types it (``tab --where``): the condition language (``alder >= 67 and
        kommune == 'stord'``) or an XLSForm expression as KoboToolbox shows it (``${alder} >= 67``,
        ``count-selected(${brukt}) > 1``, ``not(selected(${brukt}, 'ingen'))``, ``=`` for ``==``), with
        a column's group path (``hoved/bakgrunn/alder``) standing for the question. Given the
        questionnaire, choices are written by their name or label as well as their code, and a
        question's "don't know" codes satisfy no ``<``, ``<=``, ``>`` or ``>=``."""
        known = set(instrument.names) if instrument is not None else set()
        if instrument is not None:
            known |= {d.name for d in instrument.derived}
        # names in backticks first, so that no '=' or '/' inside one is read as XPath
        source = _from_xpath(_strip_paths(_encode_backticks(text), known), None)
        condition = cls.parse(source, _choice_names(instrument) if instrument is not None else None)
        if instrument is not None:
            condition = condition.with_missing({q.name: q.missing_codes for q in instrument if q.missing_codes})
        return condition

    def with_missing(self, missing: Mapping[str, tuple[int, ...]]) -> "Condition":
        """The same condition where each variable's "don't know" codes (``missing``) make an ordering
        comparison (<, <=, >, >=) unknown rather than true: "vet ikke" (code 6) is not "at least 4"."""
        return Condition(self.source, _bind(self.tree, missing))


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_QUOTED = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_PATH = re.compile(r"(?<![\w$.])([A-Za-z_]\w*(?:/[A-Za-z_]\w*)+)")
_XPATH_PATH_NAME = re.compile(r"\$\{(?:[^}/]*/)+([^}/]*)\}")


def _outside_quotes(text: str, change) -> str:
    """``change`` applied to the parts of ``text`` that are not quoted strings (codes, patterns)."""
    parts = _QUOTED.split(text)
    return "".join(part if i % 2 else change(part) for i, part in enumerate(parts))


def _from_xpath(xpath: str, self_name: str | None) -> str:
    """An XLSForm expression in the condition language's syntax: ``${q}`` → ``q``, ``count-selected`` →
    ``count_selected``, ``=`` → ``==``, ``.`` → the question itself (quoted text is left as it is)."""
    def change(text: str) -> str:
        text = _XPATH_NAME.sub(r"\1", text)
        text = text.replace("count-selected(", "count_selected(")
        if self_name is not None:
            text = _DOT.sub(self_name, text)
        return _SINGLE_EQ.sub("==", text)

    return " ".join(_outside_quotes(xpath, change).split())


def _strip_paths(text: str, known: set[str]) -> str:
    """A Kobo column's group path (``hoved/bakgrunn/alder``, ``${hoved/bakgrunn/alder}``) as the question
    (``alder``) — only where the last part is a question and no other part is (never a division)."""
    def last(match: re.Match) -> str:
        parts = match.group(1).split("/")
        if parts[-1] in known and not set(parts[:-1]) & known:
            return parts[-1]
        return match.group(0)

    def change(part: str) -> str:
        part = _XPATH_PATH_NAME.sub(lambda m: "${" + m.group(1) + "}"
                                    if m.group(1) in known and not set(m.group(0)[2:-1].split("/")[:-1]) & known
                                    else m.group(0), part)
        return _PATH.sub(last, part)

    return _outside_quotes(text, change) if known else text


def _choice_names(instrument) -> dict[str, dict[str, int]]:
    """For every coded question: its codes as text, its choice names and (case-folded) its labels in every
    language, each naming one code; a label two codes share names neither."""
    from fjernarbeid.instrument.model import TEXT_TYPES

    out: dict[str, dict[str, int]] = {}
    for q in instrument:
        if q.type in TEXT_TYPES:
            continue  # compared as text, as a text column of an ordinary file is: dato >= '2026-08-01'
        if not q.codes:
            out[q.name] = {}  # a question without codes: a quoted text is no code of it (an error)
            continue
        names: dict[str, int] = {}
        labels: dict[str, set[int]] = {}
        for c in q.codes:
            for label in c.labels.values():
                labels.setdefault(" ".join(label.split()).casefold(), set()).add(c.code)
            if c.name:
                labels.setdefault(c.name.casefold(), set()).add(c.code)
        names.update({label: next(iter(codes)) for label, codes in labels.items() if len(codes) == 1})
        names.update({c.name: c.code for c in q.codes if c.name})
        names.update({str(c.code): c.code for c in q.codes})
        out[q.name] = names
    return out


def _bind(n: Node, missing: Mapping[str, tuple[int, ...]]) -> Node:
    if isinstance(n, Compare):
        codes = tuple(missing.get(n.variable, ()))
        if n.func is None and n.op in ("<", "<=", ">", ">=") and codes:
            return Compare(n.variable, n.op, n.values, n.other, n.func, codes)
        return n
    if isinstance(n, Not):
        return Not(_bind(n.operand, missing))
    if isinstance(n, BoolOp):
        return BoolOp(n.op, tuple(_bind(o, missing) for o in n.operands))
    return n


def _has_text_code(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value != ""
               for n in ast.walk(node))


def _numbers(frame: pd.DataFrame, variable: str) -> pd.Series:
    if variable not in frame.columns:
        raise InstrumentError(f"condition refers to {variable!r}, which is not in the data")
    return pd.to_numeric(frame[variable], errors="coerce").astype("Float64")


def _texts(frame: pd.DataFrame, variable: str) -> pd.Series:
    if variable not in frame.columns:
        raise InstrumentError(f"condition refers to {variable!r}, which is not in the data")
    col = frame[variable]
    if pd.api.types.is_float_dtype(col.dtype):
        col = col.astype("Int64")  # 3.0 → "3"
    text = col.astype("string").str.strip()
    return text.mask(text == "")


def _isin(x: pd.Series, values) -> pd.Series:
    """``x.isin(values)`` for numbers (False where missing): numpy's isin on the floats compares with
    each of the few values, where pandas hashes every row (14 against 3 ms at 300,000 rows)."""
    floats = x.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(np.isin(floats, np.asarray([float(v) for v in values])), index=x.index, name=x.name)


def _three_valued(out: pd.Series, unknown: pd.Series) -> pd.Series:
    out = out.astype("boolean")
    out[unknown.to_numpy(dtype=bool)] = pd.NA
    return out


def _eval(n: Node, frame: pd.DataFrame) -> pd.Series:
    if isinstance(n, Selected):
        text = _texts(frame, n.variable)
        hit = (" " + text.fillna("") + " ").str.contains(f" {n.code} ", regex=False)
        return _three_valued(hit, text.isna())
    if isinstance(n, Regex):
        text = _texts(frame, n.variable)
        return _three_valued(text.fillna("").str.contains(n.pattern, regex=True), text.isna())
    if isinstance(n, Compare):
        if n.op in ("answered", "unanswered"):
            present = _texts(frame, n.variable).notna()
            return (present if n.op == "answered" else ~present).astype("boolean")
        if n.func is None and n.other is None and any(isinstance(v, str) for v in n.values):
            # text values ('E', "Oslo"): equality and membership on the column's text
            text = _texts(frame, n.variable)
            if n.op in ("<", "<=", ">", ">=") and len(n.values) == 1 and _ISO_DATE.fullmatch(str(n.values[0])):
                # a date written YYYY-MM-DD (a date question): dates in that form sort as text does
                dated = text.where(text.str.fullmatch(_ISO_DATE.pattern).fillna(False))
                order = {"<": dated.lt, "<=": dated.le, ">": dated.gt, ">=": dated.ge}[n.op](str(n.values[0]))
                return _three_valued(order.fillna(False), dated.isna())
            if n.op not in ("==", "!=", "in", "notin"):
                raise InstrumentError(f"condition on {n.variable}: a text value can only be compared with ==, "
                                      "!=, in or not in (or <, <=, >, >= with a date YYYY-MM-DD)")
            wanted = [str(v).strip() if isinstance(v, str) else _fmt(v) for v in n.values]
            out = text.isin(wanted)
            if n.op in ("!=", "notin"):
                out = ~out
            return _three_valued(out.fillna(False), text.isna())
        if n.func == "count_selected":
            text = _texts(frame, n.variable)
            x = text.str.split().str.len().astype("Float64")
        else:
            x = _numbers(frame, n.variable)
        unknown = x.isna()
        if n.unordered:  # "don't know" is neither more nor less than anything
            unknown = unknown | _isin(x, n.unordered)
        if n.other is not None:
            y = _numbers(frame, n.other)
            unknown = unknown | y.isna()
            values = y
        else:
            values = n.values[0] if n.values else None
        if n.op == "in":
            out = _isin(x, n.values)
        elif n.op == "notin":
            out = ~_isin(x, n.values)
        else:
            out = {"==": lambda: x == values, "!=": lambda: x != values, "<": lambda: x < values,
                   "<=": lambda: x <= values, ">": lambda: x > values, ">=": lambda: x >= values}[n.op]()
        return _three_valued(out.fillna(False), unknown)
    if isinstance(n, Not):
        return ~_eval(n.operand, frame)
    parts = [_eval(o, frame) for o in n.operands]
    result = parts[0]
    for p in parts[1:]:
        result = (result & p) if n.op == "and" else (result | p)
    return result


def _fmt(v: float | str) -> str:
    if isinstance(v, str):  # a text value: quoted
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(int(v)) if float(v).is_integer() else repr(v)


def _xpath(n: Node, top: bool = False) -> str:
    if isinstance(n, Selected):
        return "selected(${" + n.variable + "}, '" + _fmt(n.code) + "')"
    if isinstance(n, Regex):
        return "regex(${" + n.variable + "}, '" + n.pattern.replace("'", "&apos;") + "')"
    if isinstance(n, Compare):
        var = "${" + n.variable + "}"
        if n.func == "count_selected":
            var = f"count-selected({var})"
        if n.op in ("answered", "unanswered"):
            return f"{var} {'!=' if n.op == 'answered' else '='} ''"
        if n.other is not None:
            return f"{var} {_XPATH_OPS[n.op]} ${{{n.other}}}"
        if n.op in ("in", "notin"):
            inner = " or ".join(f"{var} = {_fmt(v)}" for v in n.values)
            inner = f"({inner})"
            return inner if n.op == "in" else f"not{inner}"
        return f"{var} {_XPATH_OPS[n.op]} {_fmt(n.values[0])}"
    if isinstance(n, Not):
        return f"not({_xpath(n.operand, top=True)})"
    text = f" {n.op} ".join(_xpath(o) for o in n.operands)
    return text if top else f"({text})"


def _python(n: Node, top: bool = False) -> str:
    """The tree in the condition language (codes as numbers): the canonical text."""
    if isinstance(n, Selected):
        return f"selected({_shown(n.variable)}, {_fmt(n.code)})"
    if isinstance(n, Regex):
        return f"regex({_shown(n.variable)}, {n.pattern!r})"
    if isinstance(n, Compare):
        var = f"count_selected({_shown(n.variable)})" if n.func == "count_selected" else _shown(n.variable)
        if n.op in ("answered", "unanswered"):
            return f"{var} {'!=' if n.op == 'answered' else '=='} ''"
        if n.other is not None:
            return f"{var} {n.op} {_shown(n.other)}"
        if n.op in ("in", "notin"):
            inner = ", ".join(_fmt(v) for v in n.values) + ("," if len(n.values) == 1 else "")
            return f"{var} {'in' if n.op == 'in' else 'not in'} ({inner})"
        return f"{var} {n.op} {_fmt(n.values[0])}"
    if isinstance(n, Not):
        return f"not ({_python(n.operand, top=True)})"
    text = f" {n.op} ".join(_python(o) for o in n.operands)
    return text if top else f"({text})"


def is_true(series: pd.Series) -> np.ndarray:
    """Boolean mask of rows where a three-valued condition is definitely true."""
    return series.fillna(False).to_numpy(dtype=bool)
