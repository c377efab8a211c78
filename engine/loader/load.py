"""Load mapping folders: provider file plus resource files, validated, with located problems."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.format import ProviderFile, ResourceFile
from engine.loader.bounded_read import FileRefused, read_text_bounded
from engine.loader.checks import check_provider, check_resource
from engine.loader.examples import ResourceSource, check_examples, example_files
from engine.loader.freeze import freeze_mapping
from engine.loader.mapping import LoadResult, ProviderMapping, Replacement, display_name
from engine.loader.problems import Problem, format_path
from engine.loader.scope_checks import check_parent_links
from engine.loader.structure import validate_structure
from engine.loader.yaml_source import YamlDocument, YamlSourceError, load_yaml

PROVIDER_FILE = "provider.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def _read(path: Path, result: LoadResult) -> YamlDocument | None:
    try:
        text = read_text_bounded(path)
    except FileRefused as exc:
        result.problems.append(Problem(display_name(path), 1, 1, "", str(exc)))
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


@dataclass
class _LoadedProvider:
    """The outcome of reading one provider file."""

    provider: ProviderFile | None = None
    document: YamlDocument | None = None
    clean: bool = False


def _load_provider_file(folder: Path, result: LoadResult) -> _LoadedProvider:
    provider_path = folder / PROVIDER_FILE
    result.files.append(provider_path)
    loaded = _LoadedProvider(document=_read(provider_path, result))
    if loaded.document is None:
        return loaded
    name = display_name(provider_path)
    before = len(result.problems)
    loaded.provider, problems = validate_structure(ProviderFile, loaded.document, name)
    result.problems.extend(problems)
    if loaded.provider is not None:
        result.problems.extend(check_provider(loaded.provider, loaded.document, name))
        if loaded.provider.provider != folder.name:
            line, column = loaded.document.position(("provider",))
            message = (
                f"provider name '{loaded.provider.provider}' must match its folder '{folder.name}'"
            )
            result.problems.append(Problem(name, line, column, "provider", message))
    loaded.clean = len(result.problems) == before
    return loaded


def _load_provider_folder(folder: Path, only: Path | None, result: LoadResult) -> None:
    provider_path = folder / PROVIDER_FILE
    before = len(result.problems)
    if only is None:
        resource_paths = _resource_files(folder)
    else:
        resource_paths = [] if only.name == PROVIDER_FILE else [only]
    if not provider_path.is_file():
        message = f"no {PROVIDER_FILE} beside this file (expected {display_name(provider_path)})"
        for target in resource_paths or [folder]:
            result.problems.append(Problem(display_name(target), 1, 1, "", message))
        loaded = _LoadedProvider()
    else:
        loaded = _load_provider_file(folder, result)
        if loaded.clean and only is None and not resource_paths:
            message = (
                f"provider '{folder.name}' maps no resource: add at least one resource file "
                "beside it (e.g. contacts.yaml)"
            )
            result.problems.append(Problem(display_name(provider_path), 1, 1, "", message))
    provider = loaded.provider
    if provider is None and resource_paths:
        result.notes.append(
            f"{display_name(provider_path)} could not be loaded: checks of "
            f"{display_name(folder)}'s resource files that need it (value maps, pagination "
            "styles, rate-limit buckets) were skipped"
        )
    mapping = ProviderMapping(folder=folder, provider=provider) if provider is not None else None
    sources = _load_resources(resource_paths, provider, result)
    if mapping is None or loaded.document is None:
        return
    mapping.resources.update({name: source.resource for name, source in sources.items()})
    if only is None:
        _check_examples(mapping, sources, clean=len(result.problems) == before, result=result)
    _add_provider(mapping, loaded.document, result)


def _check_examples(
    mapping: ProviderMapping, sources: dict[str, ResourceSource], clean: bool, result: LoadResult
) -> None:
    """Map the provider's recorded examples, when it has some and no other problem."""
    files = example_files(mapping.folder)
    if not files:
        return
    result.files.extend(files)
    if not clean:
        result.notes.append(
            f"the examples of {display_name(mapping.folder)} were not checked: fix the "
            "problems above first"
        )
        return

    def evaluate(source: str) -> Callable[[Any], Any]:
        return mapping.expression(source).search

    result.problems.extend(check_examples(files, sources, evaluate, display_name))


def _load_resources(
    paths: list[Path], provider: ProviderFile | None, result: LoadResult
) -> dict[str, ResourceSource]:
    """Read, validate and check resource files; the valid ones by resource name."""
    resources: dict[str, ResourceSource] = {}
    seen: dict[str, Path] = {}
    for path in paths:
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
        resources[resource.resource] = ResourceSource(resource, document, name)
    result.problems.extend(check_parent_links(resources))
    return resources


def _add_provider(mapping: ProviderMapping, document: YamlDocument, result: LoadResult) -> None:
    """Keep `mapping`, unless a provider of the same name was already loaded (a problem)."""
    other = result.providers.get(mapping.name)
    if other is None:
        result.providers[mapping.name] = mapping
        return
    line, column = document.position(("provider",))
    message = (
        f"provider '{mapping.name}' is already defined in "
        f"{display_name(other.folder / PROVIDER_FILE)}"
    )
    file = display_name(mapping.folder / PROVIDER_FILE)
    result.problems.append(Problem(file, line, column, "provider", message))


def load_mappings(paths: list[Path]) -> LoadResult:
    """Load mapping files or folders: a `mappings/` root, one provider folder, or single files."""
    result = LoadResult()
    for path in paths:
        if path.exists() and not path.is_dir():  # a FIFO or device too: refused when read
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


def load_layers(layers: Sequence[Sequence[Path]]) -> LoadResult:
    """Load mapping layers in order; a provider of a later layer replaces one of the same name.

    Each layer is a list of paths loaded with `load_mappings` (where two providers of the same
    name are a problem). Every replacement is recorded in `LoadResult.replaced`, and problems
    of every layer are kept. The providers kept hold the read-only twins of their files
    (`engine.loader.freeze`), what the engine runs on.
    """
    merged = LoadResult()
    for paths in layers:
        layer = load_mappings(list(paths))
        merged.problems.extend(layer.problems)
        merged.files.extend(layer.files)
        merged.notes.extend(layer.notes)
        for name, mapping in layer.providers.items():
            previous = merged.providers.get(name)
            if previous is not None:
                merged.replaced.append(Replacement(name, mapping.folder, previous.folder))
            merged.providers[name] = freeze_mapping(mapping)
    merged.problems.sort()
    return merged
