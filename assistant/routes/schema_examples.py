"""The examples of the request and response models in the OpenAPI document, as the models give them.

FastAPI 0.165 encodes the finished document with exclude_none=True, which also
drops every null inside an example. An example of a model with a nullable
required field, such as a draft's `regarding`, would then fail its own schema,
so the examples are put back as the models give them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel


def keep_example_nulls(app: FastAPI) -> None:
    """Wrap app.openapi so that each model's schema carries the model's own examples.

    Call it after anything else that replaces app.openapi, because it wraps the current one."""
    build: Callable[[], dict] = app.openapi
    restored: dict | None = None

    def openapi() -> dict:
        nonlocal restored
        document = build()
        # FastAPI caches the document, so the examples are put back once per document built.
        if document is not restored:
            _restore_examples(app, document)
            restored = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _restore_examples(app: FastAPI, document: dict) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    for model in _route_models(app):
        examples = _examples_of(model)
        if examples and model.__name__ in schemas:
            schemas[model.__name__]["examples"] = examples


def _examples_of(model: type[BaseModel]) -> list:
    """Return the model's examples with their keys in the order written, which is the order of the responses.

    Pydantic 2.14 sorts the keys of everything in a JSON schema, examples included."""
    extra = model.model_config.get("json_schema_extra")
    if isinstance(extra, dict):
        return list(extra.get("examples", []))
    return model.model_json_schema().get("examples", [])


def _route_models(app: FastAPI) -> Iterator[type[BaseModel]]:
    """Yield the request body and response models of the app's routes, lists unwrapped."""
    # NOTE: iter_route_contexts flattens included routers in FastAPI 0.165, and app.routes lists them unexpanded.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        candidates = [route.response_model, route.body_field.field_info.annotation if route.body_field else None]
        for candidate in candidates:
            model = _model_of(candidate)
            if model is not None:
                yield model


def _model_of(annotation: object) -> type[BaseModel] | None:
    """Return the model of `Model` or `list[Model]`, else None."""
    arguments = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) is list and arguments:
        annotation = arguments[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
