"""The docs name only what the code has: a rename cannot leave README.md or docs/
behind. Pure: no server.

Checked in README.md and docs/*.md:

- every ``SwiftHook.<method>`` and ``hook.<method>(`` exists on SwiftHook, and the
  README's "Hook methods" list is exactly SwiftHook's public methods;
- every ``airflow_provider_swift.<...>`` name in backticks (and in autodoc
  directives) imports, and every ``airflow_provider_swift/...`` path exists;
- every operator, sensor, trigger or hook class named exists, and every keyword
  shown in a call to one of them, to a hook method or to another provider callable
  (in Python code blocks, in the example-DAG snippets the docs include, and in
  backticked calls) is a parameter it takes.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import BaseOperator

import airflow_provider_swift
from airflow_provider_swift.hooks.swift import SwiftHook

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(`{3,})([^\n]*)\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"airflow_provider_swift(?:\.[A-Za-z_]\w*)+")
AUTODOC = re.compile(r"^\.\. auto\w+:: (airflow_provider_swift[\w.]*)", re.MULTILINE)
REPO_PATH = re.compile(r"airflow_provider_swift/[\w/.*-]*")
CLASS_NAME = re.compile(r"\bSwift\w*(?:Operator|Sensor|Trigger|Hook)\b")
HOOK_ATTRIBUTE = re.compile(r"\bSwiftHook\.([a-z_]\w*)")
HOOK_CALL = re.compile(r"\bhook\.([a-z_]\w*)\(")
SNAKE_NAME = re.compile(r"`([a-z_][a-z0-9_]*)(?:\(\))?`")
UNPACK = re.compile(r"^Unpack\[(\w+)\]$")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def doc_params(*, of: Callable[[Path, str], list[Any]]) -> list[Any]:
    """One pytest param per (doc, finding), named ``<doc>:<finding>``."""
    return [
        pytest.param(path, item, id=f"{rel(path)}:{item}")
        for path in DOCS
        for item in sorted(set(of(path, path.read_text())))
    ]


def prose(text: str) -> str:
    """The text without its fenced blocks (directives included)."""
    return FENCE.sub("", text)


def inline_code(text: str) -> list[str]:
    return INLINE.findall(prose(text))


# -- (a) hook methods -----------------------------------------------------------------


def public_hook_methods() -> set[str]:
    methods = (types.FunctionType, classmethod, staticmethod)
    return {
        name
        for name, value in vars(SwiftHook).items()
        if not name.startswith("_") and isinstance(value, methods)
    }


def hook_methods_named(path: Path, text: str) -> list[str]:
    return HOOK_ATTRIBUTE.findall(text) + HOOK_CALL.findall(text)


@pytest.mark.parametrize(("path", "name"), doc_params(of=hook_methods_named))
def test_hook_methods_named_in_the_docs_exist(path: Path, name: str) -> None:
    assert hasattr(SwiftHook, name), f"{rel(path)} names SwiftHook.{name}, which does not exist"


def readme_hook_list() -> set[str]:
    """The names in the README's bulleted list after the "Hook methods" paragraph."""
    text = (ROOT / "README.md").read_text()
    after = text[text.index("\nHook methods") :].split("\n\n")
    listing = next(paragraph for paragraph in after[1:] if paragraph.startswith("- "))
    return set(SNAKE_NAME.findall(listing))


def test_readme_lists_every_public_hook_method_and_no_other() -> None:
    listed, public = readme_hook_list(), public_hook_methods()
    assert not public - listed, f"README.md: add {sorted(public - listed)} to Hook methods"
    assert not listed - public, f"README.md lists {sorted(listed - public)}: not on SwiftHook"


# -- (b) dotted names and paths -------------------------------------------------------


def resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted``, then look the rest up on it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


def dotted_names(path: Path, text: str) -> list[str]:
    inline = [match for span in inline_code(text) for match in DOTTED.findall(span)]
    return inline + AUTODOC.findall(text)


@pytest.mark.parametrize(("path", "dotted"), doc_params(of=dotted_names))
def test_dotted_names_in_the_docs_resolve(path: Path, dotted: str) -> None:
    try:
        resolve(dotted)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"{rel(path)} names `{dotted}`, which does not resolve: {exc}")


def repo_paths(path: Path, text: str) -> list[str]:
    return [match for span in inline_code(text) for match in REPO_PATH.findall(span)]


@pytest.mark.parametrize(("path", "name"), doc_params(of=repo_paths))
def test_paths_in_the_docs_exist(path: Path, name: str) -> None:
    assert list(ROOT.glob(name.rstrip("/"))), f"{rel(path)} names {name}, which does not exist"


# -- (c) classes and the keywords shown in calls -----------------------------------------


def provider_classes() -> dict[str, type]:
    """Every class defined in the provider's operators, sensors, triggers and hooks."""
    found: dict[str, type] = {}
    for package in ("operators", "sensors", "triggers", "hooks"):
        parent = importlib.import_module(f"airflow_provider_swift.{package}")
        for info in pkgutil.iter_modules(parent.__path__, f"{parent.__name__}."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if inspect.isclass(value) and value.__module__ == info.name:
                    found[name] = value
    return found


CLASSES = provider_classes()


def class_names(path: Path, text: str) -> list[str]:
    return CLASS_NAME.findall(text)


@pytest.mark.parametrize(("path", "name"), doc_params(of=class_names))
def test_classes_named_in_the_docs_exist(path: Path, name: str) -> None:
    assert name in CLASSES, f"{rel(path)} names {name}, which the provider does not define"


def accepted_keywords(target: Any) -> set[str] | None:
    """The keywords ``target`` takes, or None when it takes any (``**kwargs``).

    A class: the named parameters of each ``__init__`` up its MRO, as long as each
    hands ``**kwargs`` on; Airflow's BaseOperator refuses keywords it does not name.
    ``**options: Unpack[SomeTypedDict]`` takes that TypedDict's keys.
    """
    if inspect.isclass(target):
        names: set[str] = set()
        for klass in target.__mro__:
            if "__init__" not in vars(klass):
                continue
            init = vars(klass)["__init__"]
            names |= named_parameters(init)
            if klass is BaseOperator:
                return names
            more = accepted_keywords(init)
            if more is not None:
                return names | more
        return None
    parameters = inspect.signature(target).parameters.values()
    names = named_parameters(target)
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            unpacked = UNPACK.match(str(parameter.annotation))
            if unpacked is None:
                return None
            typed_dict = inspect.unwrap(target).__globals__[unpacked.group(1)]
            names |= set(typed_dict.__annotations__)
    return names


def named_parameters(function: Any) -> set[str]:
    skip = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return {
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if name != "self" and parameter.kind not in skip
    }


@dataclass(frozen=True)
class Snippet:
    """Python shown in a doc: its code, and the names its imports bring in."""

    code: str
    namespace: dict[str, object]


def imports_of(tree: ast.AST) -> dict[str, object]:
    """What ``from airflow_provider_swift... import X`` statements bring in."""
    namespace: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "airflow_provider_swift"
        ):
            for alias in node.names:
                namespace[alias.asname or alias.name] = resolve(f"{node.module}.{alias.name}")
    return namespace


def snippets(path: Path, text: str) -> Iterator[Snippet]:
    """Python code blocks, the example-DAG snippets they include, and backticked calls."""
    for match in FENCE.finditer(text):
        info, body = match.group(2).strip(), match.group(3)
        if info in ("python", "py"):
            yield Snippet(body, {**CLASSES, **imports_of(parse(body, path))})
        elif info.startswith("{literalinclude}"):
            source = (path.parent / info.split(None, 1)[1]).resolve()
            if source.suffix != ".py":
                continue
            options = dict(re.findall(r"^:([\w-]+): (.*)$", body, re.MULTILINE))
            whole = source.read_text()
            start = options.get("start-after", "").strip('"')
            end = options.get("end-before", "").strip('"')
            part = whole.split(start, 1)[1] if start else whole
            part = part.split(end, 1)[0] if end else part
            code = textwrap.dedent(part.split("\n", 1)[1] if start else part)
            yield Snippet(code.rsplit("\n", 1)[0], imports_of(ast.parse(whole)))
    for span in inline_code(text):
        if "(" in span and DOTTED.match(span):
            yield Snippet(span.replace("...", "None"), {})


def call_target(node: ast.Call, namespace: dict[str, object]) -> tuple[str, Any] | None:
    """What a call calls, if it is the provider's: a class or function by name,
    ``Cls.partial(...)``, ``hook.method(...)``, ``SwiftHook(...).method(...)``, or a
    dotted ``airflow_provider_swift...`` name."""
    func = node.func
    if isinstance(func, ast.Name) and func.id in namespace:
        return func.id, namespace[func.id]
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id in namespace and func.attr == "partial":
        return f"{receiver.id}.partial", namespace[receiver.id]
    hook_like = (isinstance(receiver, ast.Name) and receiver.id == "hook") or (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and receiver.func.id == "SwiftHook"
    )
    if hook_like:
        return f"hook.{func.attr}", getattr(SwiftHook, func.attr, None)
    dotted = ast.unparse(func)
    if DOTTED.fullmatch(dotted):
        return dotted, resolve(dotted)
    return None


def parse(code: str, path: Path) -> ast.Module:
    """A snippet's syntax tree; one that stops after a ``def ...:`` line (its marker
    sits inside the function) gets a body."""
    for attempt in (code, code + "\n    pass"):
        try:
            return ast.parse(attempt)
        except SyntaxError:
            continue
    raise AssertionError(f"{rel(path)}: a Python snippet does not parse:\n{code}")


def shown_keywords(path: Path, text: str) -> dict[tuple[str, str], Any]:
    """The callable called, by (its name as shown, keyword), for each keyword in a
    call to a provider callable."""
    found = {}
    for snippet in snippets(path, text):
        for node in ast.walk(parse(snippet.code, path)):
            if not isinstance(node, ast.Call):
                continue
            target = call_target(node, snippet.namespace)
            if target is not None:
                name, called = target
                found |= {(name, k.arg): called for k in node.keywords if k.arg is not None}
    return found


def keyword_params() -> list[Any]:
    return [
        pytest.param(path, name, keyword, target, id=f"{rel(path)}:{name}({keyword}=)")
        for path in DOCS
        for (name, keyword), target in sorted(shown_keywords(path, path.read_text()).items())
    ]


@pytest.mark.parametrize(("path", "name", "keyword", "target"), keyword_params())
def test_keywords_shown_in_calls_are_parameters(
    path: Path, name: str, keyword: str, target: Any
) -> None:
    assert target is not None, f"{rel(path)} calls {name}, which does not exist"
    accepted = accepted_keywords(target)
    assert accepted is None or keyword in accepted, (
        f"{rel(path)} shows {name}({keyword}=...), which {name} does not take"
    )


def test_the_checks_find_what_they_look_for() -> None:
    """The extraction is not silently empty (which would pass every check)."""
    assert len(keyword_params()) > 50
    assert len(doc_params(of=dotted_names)) > 10
    assert airflow_provider_swift.__file__.startswith(str(ROOT))
