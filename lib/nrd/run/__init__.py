"""Running reports: papermill execution, offline HTML export, run plans, batches and publication.

Modules (import them directly; this package re-exports nothing so that importing one run module does not
pull in the heavy dependencies of another):

- ``nrd.run.meta``: the report metadata output a notebook emits (``application/vnd.nrd.report+json``);
  light, safe to import inside a kernel.
- ``nrd.run.execute``: ``execute_notebook`` (papermill API, fresh ``python3`` kernel) and parameter
  inspection/coercion against a notebook's ``parameters`` cell.
- ``nrd.run.html``: ``export_html`` with the project nbconvert template (``templates/nrd``): no code, no
  prompts, no network, title block, table of contents, print CSS, deterministic bytes.
- ``nrd.run.render``: ``render_report`` = execute + export for one report, returning a ``ReportResult``.
"""
