"""The read-only Content API under /api/v1/ (django-ninja): published articles, quotes,
organisations and the current appeal as JSON, for partners, apps and researchers.

- `endpoints`: the NinjaAPI and its operations, thin: what readers may see comes from the
  models' querysets (`Article.objects.published()` …), never restated here;
- `schemas`: what each item carries;
- `cursors`: cursor pagination over (sort key, pk), no OFFSET and no COUNT;
- `access`: API keys and rate limits.
"""
