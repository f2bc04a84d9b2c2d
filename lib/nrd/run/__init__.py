"""Running reports: papermill execution, offline HTML export, run plans, batches and publication.

Modules (import them directly; this package re-exports nothing so that importing one run module does not
pull in the heavy dependencies of another). ``docs/architecture.md`` ("The run layer") lists them all:

- ``nrd.run.meta``: the report metadata output a notebook emits (``application/vnd.nrd.report+json``);
  light, safe to import inside a kernel (so is ``nrd.run.warm_setup``, the warm kernel's side).
- ``nrd.run.execute``: ``execute_notebook`` (papermill API) and the parameters-cell parser.
- ``nrd.run.engines``: the papermill engines (``nrd-warm``, ``nrd.run.warm``); ``nrd.run.executors``: where
  a run's reports execute (threads, Dask).
- ``nrd.run.html``: ``export_html`` (with ``page_cells``, ``title_block``, ``toc``, and ``sanitize``: the nh3
  allow-list over every untrusted fragment, its CSS filter ``css_filter`` and the pages' CSP).
- ``nrd.run.render``: ``render_report`` = execute + export for one report, returning a ``ReportResult``.
- ``nrd.run.batch``: ``run_plan`` (``nrd run``), orchestrating ``plan``, ``prepare``, ``renderer``,
  ``incremental``, ``assemble``, ``export``, ``index``, ``manifest``, ``lock``, ``publish``, ``runlog``.
"""
