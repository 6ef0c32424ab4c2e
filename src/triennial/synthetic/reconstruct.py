"""A SYNTHETIC review-level extract consistent with the published totals: NOT case data.

The 2014-17 triennial analysis published only aggregates. `reconstruct` builds a
demonstration extract of the 368 reviews, one row per review in the codebook's
fields and clean codes (data/raw/extracts/codebook.schema.json), whose counts
reproduce every published review-level figure. Every row is invented: no row
describes a real child or review, and any relation between fields that was never
published (which boys died, which reports noted poverty together with drug misuse)
is an artefact of the rules below. Use it to exercise the pipeline, never to
estimate anything the published tables do not already say.

Public API: `reconstruct(figures)`, the extract (here); `published_constraints(figures)`,
what it must reproduce, and `check(extract, figures)`, each constraint recomputed
directly from an extract (`triennial.synthetic.constraints`).

Every target is read from the published figures by row_id (`targets`). Typed here
are only structural facts (`layout`: the codebook's age bands and codes, the analysis
period, the ages 14 to 17 quoted for the criminal exploitation cases) and the
assumptions named in `fields`, which holds the rules that build each field, each
written out in its docstring. The rows each rule picks are spread by `allocation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from triennial.synthetic import fields
from triennial.synthetic.allocation import assign, pick
from triennial.synthetic.layout import AVAILABLE, DEATH, FIELDS, NA, SERIOUS_HARM, TABLE_5
from triennial.synthetic.targets import exact_count


def reconstruct(figures: pd.DataFrame) -> pd.DataFrame:
    """The synthetic extract: one row per review, the codebook's fields in its order.

    `figures` is the clean published table (`published.clean`). See
    `triennial.synthetic.fields`: consistent with the published totals, NOT case data.
    """
    fig = figures.set_index("row_id")
    r = fields.skeleton(fig)
    r["report_status"] = fields.report_status(r, fig)
    available = r["report_status"] == AVAILABLE
    sample = pick(r, available, exact_count(fig, "flow_qualitative_sample"), ["age_band"])
    r["qualitative_sample"] = np.where(available, np.where(sample, "yes", "no"), NA)
    r["outcome"] = np.where(fields.deaths(r, fig), DEATH, SERIOUS_HARM)
    cce = fields.criminal_exploitation(r, fig)
    r["death_maltreatment"] = fields.death_maltreatment(r, fig, cce)
    r["child_sex"] = fields.child_sex(r, fig, cce)
    r["ethnicity"] = fields.ethnicity(r, fig)
    r["living_situation"] = fields.living_situation(r, fig)
    neglect = pick(r, available, exact_count(fig, "neg_feature"), ["age_band", "outcome"])
    r["neglect_feature"] = fields.noted(neglect, available)
    r["cp_plan"] = fields.cp_plan(r, fig)
    r["cp_plan_category"] = fields.cp_plan_category(r, fig)
    r["social_care"] = fields.social_care(r, fig)
    methods = {code: exact_count(fig, rid) for rid, code in TABLE_5.items()}
    r["review_method"] = assign(r, available, methods, otherwise=NA)
    for field, flag in fields.family_adversities(r, fig).items():
        r[field] = fields.noted(flag, available)
    r = r.join(fields.child_characteristics(r, fig))
    r["primary_harm"] = fields.primary_harm(r, fig, cce)
    r["child_criminal_exploitation"] = fields.noted(cce, available)
    return r[FIELDS].astype({f: "str" for f in FIELDS if f not in ("coding_round", "age_months")})
