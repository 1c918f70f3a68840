"""The type stubs (aerolite/__init__.pyi and one per submodule) match the module."""

import ast
import os

import aerolite
import aerolite.exception
import aerolite.list_operations
import aerolite.map_operations
import aerolite.operations

PKG = os.path.dirname(aerolite.__file__)


def _stub_names(filename):
    tree = ast.parse(open(os.path.join(PKG, filename)).read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _public(module):
    return {n for n in dir(module) if not n.startswith("_") and not isinstance(getattr(module, n), type(os))}


def test_package_stub_covers_the_module():
    stub = _stub_names("__init__.pyi")
    runtime = _public(aerolite)
    missing = runtime - stub
    assert not missing, "not in __init__.pyi: %s" % sorted(missing)
    extra = {n for n in stub if not n.startswith("_")} - runtime
    assert not extra, "in __init__.pyi but not in aerolite: %s" % sorted(extra)
    assert os.path.exists(os.path.join(PKG, "py.typed"))


def test_submodule_stubs_cover_the_submodules():
    for mod in (aerolite.exception, aerolite.operations, aerolite.list_operations, aerolite.map_operations):
        short = mod.__name__.split(".")[1]
        stub = _stub_names(short + ".pyi")
        runtime = _public(mod)
        assert runtime == stub, (short, sorted(runtime ^ stub))


def test_stub_methods_match_classes():
    tree = ast.parse(open(os.path.join(PKG, "__init__.pyi")).read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and hasattr(aerolite, node.name) and node.name in ("Client", "Kinesis", "Scan"):
            cls = getattr(aerolite, node.name)
            stub_methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
            runtime_methods = {n for n in dir(cls) if not n.startswith("_")}
            assert stub_methods == runtime_methods, (node.name, sorted(stub_methods ^ runtime_methods))
