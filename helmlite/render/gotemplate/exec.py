"""The interpreter of Go's text/template (``text/template/exec.go``), over helmlite's Go value model.

Semantics follow Go exactly where charts can observe them: truthiness, ``and``/``or`` returning
an operand, fields of maps (a missing key is nil and prints ``<no value>``), methods of objects,
the type checks and conversions of function arguments (an untyped number literal converts, a
``float64`` from values does not become an ``int``), variables (``:=`` declares, ``=`` assigns,
scope ends at ``{{end}}``), ``range`` over lists, maps (sorted keys) and integers with
``break``/``continue``, and Go's error messages (``template: f:1:3: executing "f" at <.x.y>:
nil pointer evaluating interface {}.y``).

Go distinguishes an *invalid* value (what a pipeline yields for nil) from a *nil interface*
(what a map lookup yields for a missing key): fields of the first are silently nil, fields of
the second are an error. The interpreter tracks which one it has where Go's behaviour differs.

Untrusted templates are bounded: template recursion depth, output size and wall time
(``Limits``); only exported (capitalised) attributes of Python objects are reachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from helmlite.gofmt import fmt_value, go_quote, go_type
from helmlite.render.gotemplate.funcspec import ANY, FuncError, FuncSpec, GoType
from helmlite.render.gotemplate.gotypes import Int64
from helmlite.render.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
)

__all__ = [
    "NIL_IFACE",
    "VALUE",
    "ExecError",
    "Executor",
    "GoError",
    "LimitExceeded",
    "Limits",
    "TemplateSet",
    "go_method",
    "is_true",
]

VALUE = GoType("reflect.Value")
"""Parameter type of Go's builtins (``and``, ``eq``, ``index``…): any value, nil kinds preserved."""


class _NilInterface:
    """A nil interface value (a missing map key) passed to a ``reflect.Value`` parameter."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NIL_IFACE"


NIL_IFACE: Any = _NilInterface()

_MISSING: Any = object()  # Go's missingVal: "no final pipeline value"


class GoError(Exception):
    """A Go ``error`` value, with the error it wraps (``%w``) if any.

    A function raises it to return an error. ``transparent`` means the function returns
    ``wrapped`` itself (``include`` returns the ExecError of the included template), so the
    caller's ``error calling …: %w`` wraps that error directly.
    """

    def __init__(self, message: str, wrapped: BaseException | None = None, *, transparent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.wrapped = wrapped
        self.transparent = transparent

    def __str__(self) -> str:
        return self.message


class ExecError(GoError):
    """Go's ``template.ExecError``: ``template: <loc>: executing "<name>" at <<node>>: <msg>``."""

    def __init__(self, message: str, name: str, wrapped: BaseException | None = None) -> None:
        super().__init__(message, wrapped)
        self.name = name


class LimitExceeded(Exception):
    """A resource bound was hit (depth, output size, time); not a Go error, ends rendering."""


@dataclass
class Limits:
    """Bounds for untrusted templates, shared by every executor of one render (with the count
    of characters produced so far)."""

    max_template_depth: int = 1000
    max_output_chars: int = 64 * 1024 * 1024
    deadline: float | None = None  # time.monotonic() value after which rendering stops
    max_range_iterations: int = 10_000_000
    output_chars: int = 0


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def go_method(*params: GoType, variadic: GoType | None = None, returns_error: bool = False) -> Callable[[Any], Any]:
    """Declare a Python method as a Go method callable from templates, with Go parameter types."""

    def mark(fn: Any) -> Any:
        fn.__go_spec__ = (tuple(params), variadic, returns_error)
        return fn

    return mark


def is_true(value: Any) -> bool:
    """Go's ``isTrue``: false for nil, false, 0, "" and empty collections; structs are true."""
    if value is None or value is NIL_IFACE:
        return False
    if isinstance(value, (bool, int, float)):
        return value != 0
    if isinstance(value, (str, bytes, bytearray, list, tuple, Mapping)):
        return len(value) > 0
    return True


def _can_be_nil(typ: GoType) -> bool:
    name = typ.name
    return (
        name in ("interface {}", "reflect.Value", "error")
        or name.startswith(("[]", "map[", "*", "func"))
        or name == "common.Values"
    )


_MAP_TYPES = frozenset(("map[string]interface {}", "common.Values", "chartutil.Values"))


def _assignable(value: Any, typ: GoType) -> bool:
    actual = go_type(value)
    return actual == typ.name or (actual in _MAP_TYPES and typ.name in _MAP_TYPES)


class TemplateSet:
    """The named templates one execution can reach: files and defines (Go's ``common`` map).

    A child set (``tpl``) sees its own definitions first, then its parent's.
    """

    __slots__ = ("parent", "root_name", "trees")

    def __init__(self, trees: dict[str, Tree] | None = None, parent: TemplateSet | None = None,
                 root_name: str = "gotpl") -> None:
        self.trees: dict[str, Tree] = trees if trees is not None else {}
        self.parent = parent
        self.root_name = root_name

    def lookup(self, name: str) -> Tree | None:
        tree = self.trees.get(name)
        if tree is None and self.parent is not None:
            return self.parent.lookup(name)
        return tree

    def associate(self, trees: Mapping[str, Tree]) -> None:
        """Add parsed trees with Go's rule: an empty definition never replaces a non-empty one."""
        from helmlite.render.gotemplate.nodes import is_empty_tree

        for name, tree in trees.items():
            old = self.lookup(name)
            if old is not None and is_empty_tree(tree.root):
                continue
            self.trees[name] = tree


class Executor:
    """Runs templates of one ``TemplateSet`` with one function table (Go's ``Template.Execute``)."""

    def __init__(self, templates: TemplateSet, functions: Mapping[str, FuncSpec], limits: Limits) -> None:
        self.templates = templates
        self.functions = functions
        self.limits = limits

    def execute(self, name: str, data: Any) -> str:
        """Execute template ``name`` with ``data`` as dot; return its output.

        Raises GoError ("template: no template …") when ``name`` does not exist, ExecError for
        an execution error, LimitExceeded when a bound is hit.
        """
        tree = self.templates.lookup(name)
        if tree is None:
            raise GoError(
                f"template: no template {go_quote(name)} associated with template {go_quote(self.templates.root_name)}"
            )
        return self.execute_tree(tree, data)

    def execute_tree(self, tree: Tree, data: Any) -> str:
        """Execute ``tree`` with ``data`` as dot; raises like ``execute``."""
        state = _State(self, tree.name, data, 0)
        state.check_time()
        state.walk(data, tree.root)
        return "".join(state.out)


class _State:
    """Go's ``state``: the template being run, the output, the variable stack."""

    __slots__ = ("depth", "ex", "functions", "limits", "name", "node", "out", "vars")

    def __init__(self, ex: Executor, name: str, dot: Any, depth: int) -> None:
        self.ex = ex
        self.functions = ex.functions
        self.limits = ex.limits
        self.name = name
        self.node: Node | None = None
        self.vars: list[list[Any]] = [["$", dot]]
        self.depth = depth
        self.out: list[str] = []

    # --- errors -------------------------------------------------------------------------------

    def errorf(self, message: str, wrapped: BaseException | None = None) -> NoReturn:
        if self.node is None:
            text = f"template: {self.name}: {message}"
        else:
            text = f"template: {self.node.location()}: executing {go_quote(self.name)} at <{self.node}>: {message}"
        raise ExecError(text, self.name, wrapped)

    def write(self, text: str) -> None:
        limits = self.limits
        limits.output_chars += len(text)
        if limits.output_chars > limits.max_output_chars:
            raise LimitExceeded(f"rendered output exceeds {limits.max_output_chars} characters")
        self.out.append(text)

    def check_time(self) -> None:
        deadline = self.limits.deadline
        if deadline is not None and time.monotonic() > deadline:
            raise LimitExceeded("rendering took too long")

    # --- variables ----------------------------------------------------------------------------

    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    # --- statements ---------------------------------------------------------------------------

    def walk(self, dot: Any, node: Node) -> None:
        self.node = node
        cls = type(node)
        if cls is ListNode:
            # The loop of every template body: text, actions and branches are handled here
            # rather than through one more call each (the order of ``self.node`` updates, which
            # errors report, is the one of the general path).
            out = self.out
            limits = self.limits
            for child in node.nodes:  # type: ignore[attr-defined]
                child_cls = type(child)
                if child_cls is TextNode:
                    text = child.text  # type: ignore[attr-defined]
                elif child_cls is ActionNode:
                    self.node = child
                    pipe = child.pipe  # type: ignore[attr-defined]
                    value = self.eval_pipeline(dot, pipe)
                    if pipe.decl:
                        continue
                    self.node = child
                    if type(value) is str:
                        text = value
                    elif value is None or value is NIL_IFACE:
                        text = "<no value>"
                    else:
                        go_print = getattr(type(value), "__go_print__", None)
                        text = go_print(value) if go_print is not None else fmt_value(value)
                elif child_cls is IfNode or child_cls is WithNode:
                    self.node = child
                    self.walk_if_or_with(child_cls is WithNode, dot, child)  # type: ignore[arg-type]
                    continue
                else:
                    self.walk(dot, child)
                    continue
                limits.output_chars += len(text)
                if limits.output_chars > limits.max_output_chars:
                    raise LimitExceeded(f"rendered output exceeds {limits.max_output_chars} characters")
                out.append(text)
        elif cls is ActionNode:
            value = self.eval_pipeline(dot, node.pipe)  # type: ignore[attr-defined]
            if not node.pipe.decl:  # type: ignore[attr-defined]
                self.print_value(node, value)
        elif cls is TextNode:
            self.write(node.text)  # type: ignore[attr-defined]
        elif cls is IfNode or cls is WithNode:
            self.walk_if_or_with(cls is WithNode, dot, node)  # type: ignore[arg-type]
        elif cls is RangeNode:
            self.walk_range(dot, node)  # type: ignore[arg-type]
        elif cls is TemplateNode:
            self.walk_template(dot, node)  # type: ignore[arg-type]
        elif cls is BreakNode:
            raise _Break
        elif cls is ContinueNode:
            raise _Continue
        elif cls is CommentNode:
            pass
        else:
            self.errorf(f"unknown node: {node}")

    def print_value(self, node: Node, value: Any) -> None:
        self.node = node
        if type(value) is str:
            self.write(value)
        elif value is None or value is NIL_IFACE:
            self.write("<no value>")
        else:
            go_print = getattr(type(value), "__go_print__", None)
            self.write(go_print(value) if go_print is not None else fmt_value(value))

    def walk_if_or_with(self, is_with: bool, dot: Any, node: IfNode | WithNode) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            value_type = type(value)
            if value_type is bool:
                truth = value
            elif value_type is str or value_type is dict or value_type is list:
                truth = len(value) > 0
            else:
                truth = is_true(value)
            if truth:
                self.walk(value if is_with else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: RangeNode) -> None:
        self.node = node
        outer = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            mark = len(self.vars)
            decl = node.pipe.decl
            ran = self._range_items(node, value, decl, mark)
            if not ran and node.else_list is not None:
                self.walk(dot, node.else_list)
        except _Break:
            pass
        finally:
            del self.vars[outer:]

    def _range_items(self, node: RangeNode, value: Any, decl: list[VariableNode], mark: int) -> bool:
        if value is None or value is NIL_IFACE:
            return False
        if isinstance(value, (list, tuple, bytes, bytearray)):
            items: Any = enumerate(value)
            count = len(value)
        elif isinstance(value, Mapping):
            keys = sorted(value)  # Go's fmtsort: string keys bytewise (code point order)
            items = ((k, value[k]) for k in keys)
            count = len(keys)
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(decl) > 1:
                self.errorf(f"can't use {fmt_value(value)} to iterate over more than one variable")
            if value > self.limits.max_range_iterations:
                raise LimitExceeded(f"range over {value} exceeds {self.limits.max_range_iterations} iterations")
            cls = type(value)
            items = ((None, cls(i) if cls is not int else i) for i in range(value))
            count = max(int(value), 0)
        else:
            self.errorf(f"range can't iterate over {fmt_value(value)}")
        if count == 0:
            return False
        is_assign = node.pipe.is_assign
        deadline = self.limits.deadline
        body = node.list
        for index, elem in items:
            if deadline is not None and time.monotonic() > deadline:
                raise LimitExceeded("rendering took too long")
            if decl:
                if is_assign:
                    if len(decl) > 1:
                        self.set_var(decl[0].ident[0], index)
                    else:
                        self.set_var(decl[0].ident[0], elem)
                else:
                    self.vars[-1][1] = elem
            if len(decl) > 1:
                if is_assign:
                    self.set_var(decl[1].ident[0], elem)
                else:
                    self.vars[-2][1] = index
            try:
                self.walk(elem, body)
            except _Continue:
                pass
            finally:
                del self.vars[mark:]
        return True

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.node = node
        tree = self.ex.templates.lookup(node.name)
        if tree is None:
            self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= self.limits.max_template_depth:
            self.errorf(f"exceeded maximum template depth ({self.limits.max_template_depth})")
        value = self.eval_pipeline(dot, node.pipe)
        if value is NIL_IFACE:
            value = None
        self.check_time()
        child = _State(self.ex, tree.name, value, self.depth + 1)
        child.out = self.out
        child.walk(value, tree.root)

    # --- expressions --------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: PipeNode | None) -> Any:
        if pipe is None:
            return None
        self.node = pipe
        value: Any = _MISSING
        for cmd in pipe.cmds:
            # Function calls and fields, most commands, without eval_command's dispatch.
            args = cmd.args
            first = args[0]
            cls = type(first)
            if cls is IdentifierNode:
                self.node = first
                name = first.ident  # type: ignore[attr-defined]
                spec = self.functions.get(name)
                if spec is None:
                    self.errorf(f"{go_quote(name)} is not a defined function")
                value = self.eval_call(dot, spec, cmd, name, args, value)
            elif cls is FieldNode:
                self.node = first
                value = self.eval_field_chain(dot, dot, first, first.ident, args, value, False)  # type: ignore[attr-defined]
            else:
                value = self.eval_command(dot, cmd, value)
            if value is NIL_IFACE:
                value = None  # Go's "lovely" unboxing: a nil interface becomes invalid
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.push(variable.ident[0], value)
        return value

    def not_a_function(self, args: list[Node] | None, final: Any) -> None:
        if (args is not None and len(args) > 1) or final is not _MISSING:
            assert args is not None
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        cls = type(first)
        if cls is FieldNode:
            return self.eval_field_node(dot, first, cmd.args, final)  # type: ignore[arg-type]
        if cls is ChainNode:
            return self.eval_chain_node(dot, first, cmd.args, final)  # type: ignore[arg-type]
        if cls is IdentifierNode:
            return self.eval_function(dot, first, cmd, cmd.args, final)  # type: ignore[arg-type]
        if cls is PipeNode:
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)  # type: ignore[arg-type]
        if cls is VariableNode:
            return self.eval_variable_node(dot, first, cmd.args, final)  # type: ignore[arg-type]
        self.node = first
        self.not_a_function(cmd.args, final)
        if cls is BoolNode:
            return first.true  # type: ignore[attr-defined]
        if cls is DotNode:
            return dot
        if cls is NilNode:
            self.errorf("nil is not a command")
        if cls is NumberNode:
            return self.ideal_constant(first)  # type: ignore[arg-type]
        if cls is StringNode:
            return first.text  # type: ignore[attr-defined]
        self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, constant: NumberNode) -> Any:
        self.node = constant
        text = constant.text
        if (
            constant.is_float
            and not _is_hex_int(text)
            and not text.startswith("'")
            and any(c in text for c in ".eEpP")
        ):
            return constant.float64
        if constant.is_int:
            return constant.int64
        if constant.is_uint:
            self.errorf(f"{text} overflows int")
        return None

    def eval_field_node(self, dot: Any, field: FieldNode, args: list[Node] | None, final: Any) -> Any:
        self.node = field
        return self.eval_field_chain(dot, dot, field, field.ident, args, final, boxed=False)

    def eval_chain_node(self, dot: Any, chain: ChainNode, args: list[Node] | None, final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, ANY, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final, boxed=False)

    def eval_variable_node(self, dot: Any, variable: VariableNode, args: list[Node] | None, final: Any) -> Any:
        self.node = variable
        value = self.var_value(variable.ident[0])
        if len(variable.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, variable, variable.ident[1:], args, final, boxed=False)

    def eval_field_chain(self, dot: Any, receiver: Any, node: Node, ident: list[str],
                         args: list[Node] | None, final: Any, boxed: bool) -> Any:
        last = len(ident) - 1
        start = 0
        if final is _MISSING and (args is None or len(args) <= 1):
            # No arguments: map lookups (eval_field's first case) while the receiver is a map.
            for name in ident:
                if not isinstance(receiver, dict):
                    break
                receiver = receiver.get(name)
                start += 1
            else:
                return receiver
            boxed = boxed or start > 0
        for i in range(start, last):
            name = ident[i]
            # What a map lookup returns is an interface value, whose type Go's errors name
            # ``interface {}``; a method's result or a struct's field has its own type.
            looked_up = isinstance(receiver, Mapping) and name not in getattr(type(receiver), "GO_METHODS", ())
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver, boxed)
            boxed = looked_up
        return self.eval_field(dot, ident[last], node, args, final, receiver, boxed)

    def eval_function(self, dot: Any, node: IdentifierNode, cmd: Node, args: list[Node] | None, final: Any) -> Any:
        self.node = node
        name = node.ident
        spec = self.functions.get(name)
        if spec is None:
            self.errorf(f"{go_quote(name)} is not a defined function")
        return self.eval_call(dot, spec, cmd, name, args, final)

    def eval_field(self, dot: Any, name: str, node: Node, args: list[Node] | None, final: Any,
                   receiver: Any, boxed: bool) -> Any:
        if receiver is None or receiver is NIL_IFACE:
            if boxed or receiver is NIL_IFACE:
                self.errorf(f"nil pointer evaluating interface {{}}.{name}")
            return None
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        if isinstance(receiver, dict):
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            return receiver.get(name)
        methods = getattr(type(receiver), "GO_METHODS", None)
        if methods is not None and name in methods:
            method = getattr(receiver, name)
            spec = getattr(method, "__go_spec__", None)
            params, variadic, returns_error = spec if spec is not None else ((), None, False)
            return self.eval_call(dot, FuncSpec(name, method, params, variadic, returns_error), node, name, args, final)
        if isinstance(receiver, Mapping):
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            return receiver.get(name)
        fields = getattr(type(receiver), "GO_FIELDS", None)
        if fields is not None and name in fields:
            if has_args:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return getattr(receiver, name)
        if methods is None and fields is None and _exported(name) and not _is_plain(receiver):
            # An object without declarations (e.g. a Sprig result): its exported attributes,
            # methods called with untyped arguments.
            attr = getattr(receiver, name, _MISSING)
            if attr is not _MISSING:
                if callable(attr):
                    spec = getattr(attr, "__go_spec__", None)
                    params, variadic, returns_error = spec if spec is not None else ((), ANY, False)
                    return self.eval_call(dot, FuncSpec(name, attr, params, variadic, returns_error), node, name,
                                          args, final)
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return attr
        type_name = "interface {}" if boxed else go_type(receiver)
        if name in getattr(receiver, "GO_UNEXPORTED_FIELDS", ()):
            self.errorf(f"{name} is an unexported field of struct type {type_name}")
        self.errorf(f"can't evaluate field {name} in type {type_name}")

    # --- calls --------------------------------------------------------------------------------

    def eval_call(self, dot: Any, spec: FuncSpec, node: Node, name: str, args: list[Node] | None, final: Any) -> Any:
        params = spec.params
        variadic = spec.variadic
        num_args = len(args) - 1 if args is not None else 0  # args[0] is the function itself
        num_in = num_args if final is _MISSING else num_args + 1
        if variadic is not None:
            num_fixed = len(params)
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} got {num_args}")
        else:
            num_fixed = num_args
            if num_in != len(params):
                self.errorf(f"wrong number of args for {name}: want {len(params)} got {num_in}")

        call_args: list[Any] = args if args is not None else []
        if (name == "and" or name == "or") and params and params[0] is VALUE:
            want = name == "or"
            value: Any = None
            for i in range(1, num_args + 1):
                value = self.eval_arg(dot, VALUE, call_args[i])
                if is_true(value) == want:
                    return None if value is NIL_IFACE else value
            if final is not _MISSING:
                value = final
            return None if value is NIL_IFACE else value

        variadic_type = variadic if variadic is not None else ANY  # (only read when variadic)
        argv: list[Any] = []
        for i in range(1, num_args + 1):
            n = call_args[i]
            typ = params[i - 1] if i <= num_fixed else variadic_type
            cls = type(n)
            # eval_arg's commonest cases inline (a field, a string literal, dot, a variable, a
            # parenthesised pipeline), then validate_type's commonest (any value accepted, or a
            # value of exactly the parameter's type); ``self.node`` is set as eval_arg sets it.
            if cls is FieldNode:
                self.node = n
                value = self.eval_field_chain(dot, dot, n, n.ident, None, _MISSING, False)
                boxed = True
            elif cls is StringNode and (typ.accepts_any or typ.name == "string" or typ.name == "reflect.Value"):
                self.node = n
                argv.append(n.text)
                continue
            elif cls is DotNode:
                self.node = n
                value = dot
                boxed = False
            elif cls is VariableNode:
                self.node = n
                ident = n.ident
                value = self.var_value(ident[0])
                boxed = len(ident) > 1
                if boxed:
                    value = self.eval_field_chain(dot, value, n, ident[1:], None, _MISSING, False)
            elif cls is PipeNode:
                value = self.eval_pipeline(dot, n)
                boxed = False
            else:
                argv.append(self.eval_arg(dot, typ, n))
                continue
            if typ.accepts_any:
                argv.append(None if value is NIL_IFACE else value)
            elif type(value) is typ.python_type:
                argv.append(value)
            else:
                argv.append(self.validate_type(value, typ, boxed))
        if final is not _MISSING:
            typ = variadic_type if variadic is not None and num_in - 1 >= num_fixed else params[num_in - 1]
            if typ.accepts_any:
                argv.append(None if final is NIL_IFACE else final)
            elif type(final) is typ.python_type:
                argv.append(final)
            else:
                argv.append(self.validate_type(final, typ, boxed=False))

        try:
            result = spec.fn(*argv)
        except (ExecError, LimitExceeded, _Break, _Continue):
            raise
        except GoError as exc:
            self.node = node
            self.errorf(f"error calling {name}: {exc.message}", exc.wrapped if exc.transparent else exc)
        except FuncError as exc:
            self.node = node
            self.errorf(f"error calling {name}: {exc}", getattr(exc, "wrapped", None) or exc)
        except RecursionError:
            raise LimitExceeded("templates nest too deeply") from None
        except Exception as exc:  # noqa: BLE001 - Go turns a panicking function into an error
            self.node = node
            self.errorf(f"error calling {name}: {_panic_message(exc)}")
        if type(result) is str and len(result) > self.limits.max_output_chars:
            # Strings built by functions (print, repeat, include…) count against the output bound.
            raise LimitExceeded(f"a value of {len(result)} characters exceeds the output bound")
        return result

    def eval_arg(self, dot: Any, typ: GoType, n: Node) -> Any:
        self.node = n
        cls = type(n)
        if cls is DotNode:
            return self.validate_type(dot, typ, boxed=False)
        if cls is NilNode:
            if _can_be_nil(typ):
                return None
            self.errorf(f"cannot assign nil to {typ.name}")
        if cls is FieldNode:
            return self.validate_type(self.eval_field_node(dot, n, [n], _MISSING), typ, boxed=True)  # type: ignore[arg-type]
        if cls is VariableNode:
            value = self.eval_variable_node(dot, n, None, _MISSING)  # type: ignore[arg-type]
            return self.validate_type(value, typ, boxed=len(n.ident) > 1)  # type: ignore[attr-defined]
        if cls is PipeNode:
            return self.validate_type(self.eval_pipeline(dot, n), typ, boxed=False)  # type: ignore[arg-type]
        if cls is IdentifierNode:
            value = self.eval_function(dot, n, n, None, _MISSING)  # type: ignore[arg-type]
            return self.validate_type(value, typ, boxed=True)
        if cls is ChainNode:
            return self.validate_type(self.eval_chain_node(dot, n, None, _MISSING), typ, boxed=True)  # type: ignore[arg-type]
        name = typ.name
        if name == "interface {}" or name == "reflect.Value":
            return self.eval_empty_interface(n)
        if name == "bool":
            if cls is BoolNode:
                return n.true  # type: ignore[attr-defined]
            self.errorf(f"expected bool; found {n}")
        if name in _INT_TYPES:
            if cls is NumberNode and n.is_int:  # type: ignore[attr-defined]
                value = n.int64  # type: ignore[attr-defined]
                return Int64(value) if name == "int64" else value
            self.errorf(f"expected integer; found {n}")
        if name in ("float64", "float32"):
            if cls is NumberNode and n.is_float:  # type: ignore[attr-defined]
                return n.float64  # type: ignore[attr-defined]
            self.errorf(f"expected float; found {n}")
        if name == "string":
            if cls is StringNode:
                return n.text  # type: ignore[attr-defined]
            self.errorf(f"expected string; found {n}")
        if name in ("uint", "uint32", "uint64"):
            if cls is NumberNode and n.is_uint:  # type: ignore[attr-defined]
                return n.uint64  # type: ignore[attr-defined]
            self.errorf(f"expected unsigned integer; found {n}")
        self.errorf(f"can't handle {n} for arg of type {name}")

    def eval_empty_interface(self, n: Node) -> Any:
        self.node = n
        cls = type(n)
        if cls is BoolNode:
            return n.true  # type: ignore[attr-defined]
        if cls is NumberNode:
            return self.ideal_constant(n)  # type: ignore[arg-type]
        if cls is StringNode:
            return n.text  # type: ignore[attr-defined]
        self.errorf(f"can't handle assignment of {n} to empty interface argument")

    def validate_type(self, value: Any, typ: GoType, boxed: bool) -> Any:
        name = typ.name
        if value is NIL_IFACE:
            value, boxed = None, True
        if name == "interface {}":
            return value
        if name == "reflect.Value":
            return NIL_IFACE if value is None and boxed else value
        if value is None:
            if not boxed:
                if _can_be_nil(typ):
                    return None
                self.errorf(f"invalid value; expected {name}")
            self.errorf(f"wrong type for value; expected {name}; got interface {{}}")
        if _assignable(value, typ):
            return value
        self.errorf(f"wrong type for value; expected {name}; got {go_type(value)}")


_INT_TYPES = frozenset(("int", "int64", "int32", "int16", "int8"))


def _exported(name: str) -> bool:
    return name[:1].isupper()


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bytes, bytearray, list, tuple))


def _is_hex_int(text: str) -> bool:
    body = text.lstrip("+-")
    return body[:2].lower() == "0x" and not any(c in body for c in ".pP")


def _panic_message(exc: BaseException) -> str:
    text = str(exc)
    return text or type(exc).__name__
