"""Load mapping folders: provider file plus resource files, validated, with located problems."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from engine.expressions import CompiledExpression, compile_expression
from engine.format import ProviderFile, ResourceFile
from engine.loader.checks import check_provider, check_resource
from engine.loader.problems import Problem, format_path
from engine.loader.structure import validate_structure
from engine.loader.yaml_source import YamlDocument, YamlSourceError, load_yaml

PROVIDER_FILE = "provider.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class ProviderMapping:
    """One provider's validated mapping: its provider file and its resources by name."""

    folder: Path
    provider: ProviderFile
    resources: dict[str, ResourceFile] = field(default_factory=dict)
    _expressions: dict[str, CompiledExpression] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The provider's name, e.g. `mailerlite`."""
        return self.provider.provider

    def expression(self, source: str) -> CompiledExpression:
        """The compiled form of an expression of this mapping (compiled once, then cached)."""
        compiled = self._expressions.get(source)
        if compiled is None:
            compiled = compile_expression(source, self.provider.value_maps)
            self._expressions[source] = compiled
        return compiled

    @cached_property
    def bucket_names(self) -> frozenset[str]:
        """Names of the declared rate-limit buckets."""
        return frozenset(b.name for b in self.provider.rate_limits.buckets)


@dataclass
class LoadResult:
    """Everything loaded from a path: valid providers and every problem found."""

    providers: dict[str, ProviderMapping] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def display_name(path: Path) -> str:
    """A path as shown in problems: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _read(path: Path, result: LoadResult) -> YamlDocument | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        result.problems.append(Problem(display_name(path), 1, 1, "", f"cannot read file: {exc}"))
        return None
    try:
        return load_yaml(text)
    except YamlSourceError as exc:
        where = format_path(exc.path)
        problem = Problem(display_name(path), exc.line, exc.column, where, exc.message)
        result.problems.append(problem)
        return None


def _resource_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and p.name != PROVIDER_FILE
    )


def _load_provider_folder(folder: Path, only: Path | None, result: LoadResult) -> None:
    provider_path = folder / PROVIDER_FILE
    provider: ProviderFile | None = None
    if only is None:
        resource_paths = _resource_files(folder)
    else:
        resource_paths = [] if only.name == PROVIDER_FILE else [only]
    if not provider_path.is_file():
        message = f"no {PROVIDER_FILE} beside this file (expected {display_name(provider_path)})"
        for target in resource_paths or [folder]:
            result.problems.append(Problem(display_name(target), 1, 1, "", message))
    else:
        result.files.append(provider_path)
        document = _read(provider_path, result)
        if document is not None:
            name = display_name(provider_path)
            provider, problems = validate_structure(ProviderFile, document, name)
            result.problems.extend(problems)
            if provider is not None:
                result.problems.extend(check_provider(provider, document, name))
                if provider.provider != folder.name:
                    line, column = document.position(("provider",))
                    message = (
                        f"provider name '{provider.provider}' must match its folder '{folder.name}'"
                    )
                    result.problems.append(Problem(name, line, column, "provider", message))
    mapping = ProviderMapping(folder=folder, provider=provider) if provider is not None else None
    seen: dict[str, Path] = {}
    for path in resource_paths:
        result.files.append(path)
        document = _read(path, result)
        if document is None:
            continue
        name = display_name(path)
        resource, problems = validate_structure(ResourceFile, document, name)
        result.problems.extend(problems)
        if resource is None:
            continue
        result.problems.extend(check_resource(resource, provider, document, name))
        if resource.resource in seen:
            line, column = document.position(("resource",))
            message = (
                f"resource '{resource.resource}' is already mapped in "
                f"{display_name(seen[resource.resource])}"
            )
            result.problems.append(Problem(name, line, column, "resource", message))
        seen[resource.resource] = path
        if mapping is not None:
            mapping.resources[resource.resource] = resource
    if mapping is not None:
        result.providers[mapping.name] = mapping


def load_mappings(paths: list[Path]) -> LoadResult:
    """Load mapping files or folders: a `mappings/` root, one provider folder, or single files."""
    result = LoadResult()
    for path in paths:
        if path.is_file():
            _load_provider_folder(path.parent, path, result)
        elif (path / PROVIDER_FILE).is_file():
            _load_provider_folder(path, None, result)
        elif path.is_dir() and _resource_files(path):
            # Mapping files but no provider.yaml: a provider folder missing its provider file.
            _load_provider_folder(path, None, result)
        elif path.is_dir():
            folders = sorted(
                p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
            )
            if not folders:
                problem = Problem(display_name(path), 1, 1, "", "no provider folders found")
                result.problems.append(problem)
            for folder in folders:
                _load_provider_folder(folder, None, result)
        else:
            raise FileNotFoundError(str(path))
    result.problems.sort()
    return result
