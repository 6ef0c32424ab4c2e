"""Display names: the data use snake_case ids, readers words.

The one registry of labels: every table, figure and sentence of the report names a measure,
group, table, extract variable, series or source row through the functions here, so no id
reaches a reader (tests/test_report_outputs.py fails on any snake_case word in the report).
"""

import re

MEASURES = {
    "parental_alcohol_misuse": "Alcohol misuse",
    "parental_drug_misuse": "Drug misuse",
    "parental_mental_health": "Mental health problems",
    "parental_adverse_childhood_experiences": "Adverse childhood experiences",
    "parental_intellectual_disability": "Intellectual disability",
    "parental_criminal_record": "Criminal record",
    "parental_violent_crime": "of which violent crime",
    "parental_alcohol_or_drug_misuse": "Alcohol or drug misuse",
    "parental_separation": "Parental separation",
    "parental_separation_acrimonious": "of which acrimonious",
    "domestic_abuse": "Domestic abuse",
    "social_isolation": "Social isolation",
    "transient_lifestyle": "Transient lifestyle",
    "multiple_partners": "Multiple partners",
    "poverty": "Poverty",
    "child_disability": "Disability",
    "child_behaviour_problems": "Behaviour problems",
    "child_alcohol_misuse": "Alcohol misuse",
    "child_drug_misuse": "Drug misuse",
    "child_mental_health": "Mental health problems",
    "child_bullying": "Bullying",
    "child_sexual_exploitation": "Child sexual exploitation",
    "review_method": "Review method",
    # the national panel's 2023-24 figures and the 2009–11 early help figures
    "neglect": "Neglect",
    "known_to_social_care": "Known to children's social care",
    "social_care_open_case": "Open case of children's social care",
    "social_care_previous_case": "Previously known to children's social care",
    "referral_not_accepted": "Referral not accepted by children's social care",
    "physical_abuse": "Physical abuse",
    "emotional_abuse": "Emotional abuse",
    "sexual_abuse_or_exploitation": "Sexual abuse or exploitation",
    "lack_of_coordination": "Lack of co-ordination between services",
    "lack_of_professional_curiosity": "Lack of professional curiosity",
    "weak_risk_assessment": "Weak risk assessment and decision-making",
    "extrafamilial_harm": "Reviews featuring extrafamilial harm",
    "youth_or_gang_violence": "Youth or gang-related violence",
    "criminal_exploitation": "Criminal exploitation",
    "black_children": "Black children",
    "not_in_education": "Not enrolled at school or in education",
    "poor_school_attendance": "Poor school attendance",
    "child_in_need": "Child in need, now or before",
    "child_protection_plan_ever": "Child protection plan, now or before",
    "known_to_youth_offending_team": "Known to a youth offending team",
    "repeatedly_missing": "Repeatedly going missing",
}

# Table 4 names two adversities differently from Tables 1 and 2.
TABLE4_MEASURES = {
    "domestic_abuse": "Domestic violence",
    "parental_mental_health": "Mental health problems (parent)",
    "parental_adverse_childhood_experiences": "Adverse childhood experiences (parent)",
    "parental_criminal_record": "Criminal behaviour",
}

GROUPS = {
    "under_1": "Under 1",
    "1_to_5": "1–5",
    "6_to_10": "6–10",
    "11_to_15": "11–15",
    "16_plus": "16+",
    "11_plus": "11+",
    "all": "All",
    "traditional_imr_chronology": "Traditional, with IMRs and a chronology",
    "scie_learning_together": "SCIE Learning Together",
    "silp": "SILP (Significant Incident Learning Process)",
    "welsh_child_practice_review": "Welsh Child Practice Review",
    "hybrid_or_unspecified_systems": "Hybrid or unspecified systems-based",
    "unclear": "Unclear",
    "other": "Other",
    "extrafamilial_harm": "Extrafamilial harm reviews",
    "comparison_sample": "Comparison sample of other cases",
}

# Counts: every table names them `count` (with the characteristic) and `nobs` (of how many,
# statsmodels' names); readers see the customary n and N, from here only.
COUNT = "n"
NOBS = "N"
COUNT_OF_NOBS = f"{COUNT}/{NOBS}"
EVENTS_OF_NOBS = f"Events/{NOBS}"  # the meta-analysis: bruised infants of those seen

AGE_BANDS = ["under_1", "1_to_5", "6_to_10", "11_to_15", "16_plus"]


def words(name: str) -> str:
    """The last resort for an id no registry names: spaces for underscores, capitalised."""
    return re.sub(r"_+", " ", str(name)).strip().capitalize()


def measure(name: str, table: str | None = None) -> str:
    """Reader's name of a measure (falls back to the id in words)."""
    if table == "table4_neglect_adversity" and name in TABLE4_MEASURES:
        return TABLE4_MEASURES[name]
    return MEASURES.get(name, words(name))


def whose(name: str) -> str:
    """A measure's name saying whose it is where a list mixes parents and children:
    'parental_alcohol_misuse' -> 'Alcohol misuse (parent)'."""
    label = measure(name)
    for prefix, who in (("parental_", "parent"), ("child_", "child")):
        if name.startswith(prefix) and who not in label.lower():
            return f"{label} ({who})"
    return label


def group(name: str) -> str:
    """Reader's name of a group."""
    return GROUPS.get(name, words(name).lower())


# The raw tables of the data packages, by resource name. The published tables keep the
# source's numbers, said to be the source's, so they are not taken for this report's tables.
TABLES = {
    "review_flow": "Source: notified reviews and reports",
    "key_data": "Source: key data",
    "table1_parental": "Source Table 1: parental characteristics",
    "table2_family": "Source Table 2: family characteristics",
    "table3_child": "Source Table 3: child characteristics",
    "table4_neglect_adversity": "Source Table 4: adversity where neglect was a feature",
    "table5_review_methods": "Source Table 5: review methods",
    "neglect": "Source: neglect",
    "adolescents": "Source: adolescents",
    "corrections": "Corrections to the captured tables",
    "studies": "Bruising studies",
    "procedures_audit": "Audit of local bruising procedures",
    "series": "Annual series of notifications and reviews",
    "denominators": "Population denominators",
    "implication_figures": "Figures behind the bruising implications",
    "figures": "Panel figures",
    "not_used": "Figures considered and not used",
}

# Variables of a coded review extract that are not measures (see the codebook).
VARIABLES = {
    "review_type": "Review type",
    "report_status": "Report status",
    "qualitative_sample": "In the qualitative sample",
    "outcome": "Outcome (death or serious harm)",
    "death_maltreatment": "Death caused by maltreatment",
    "child_sex": "Sex of the child",
    "ethnicity": "Ethnicity",
    "living_situation": "Where the child lived",
    "social_care": "Known to children's social care",
    "cp_plan": "Child protection plan",
    "cp_plan_category": "Category of the plan",
    "primary_harm": "Primary harm",
    "neglect_feature": "Neglect a feature",
    "child_criminal_exploitation": "Criminal exploitation (child)",
}


def table(name: str) -> str:
    """Reader's name of a raw table (resource), e.g. 'table1_parental'."""
    return TABLES.get(name, words(name))


def variable(name: str) -> str:
    """Reader's name of an extract variable; parents' and children's measures say whose."""
    return VARIABLES.get(name) or whose(name)


def source_row(row: dict, resource: str) -> str:
    """A raw row in words, from its descriptive columns rather than its row_id.

    Published tables: 'Source Table 1: parental characteristics — Alcohol misuse'; bruising
    studies: 'Sugar 1999, under 6 months'; series and denominators: the measure and its period.
    """
    get = {k: str(v) for k, v in row.items() if v is not None and str(v) not in ("", "nan")}
    if "study" in get:
        return ", ".join(x for x in (get["study"], get.get("subgroup")) if x)
    if resource == "procedures_audit":  # a document and what was counted in it
        return f"{get.get('year', 'undated')}, {measure(get.get('measure', '')).lower()}"
    if "series" in get:
        return f"{SERIES.get(get['series'], words(get['series']))}, {get.get('period_label', '')}"
    what = measure(get.get("measure", get.get("row_id", "")), resource)
    when = get.get("reference_date") or (group(get["group"]) if get.get("group") else "")
    detail = f"{what}, {when}" if when and when != group("all") else what
    return f"{table(resource)} — {detail}" if resource in TABLES else detail


def confidence(alpha: float) -> str:
    """Confidence level in per cent for an alpha: 0.05 -> '95'."""
    return f"{100 * (1 - alpha):g}"


METHODS = {
    "wilson": "Wilson score",
    "clopper_pearson": "Clopper–Pearson (exact)",
    "jeffreys": "Jeffreys",
    "agresti_coull": "Agresti–Coull",
}

# The same methods in a table heading, where the longer name would not fit.
METHOD_NAMES_SHORT = {
    "wilson": "Wilson",
    "clopper_pearson": "Clopper–Pearson",
    "jeffreys": "Jeffreys",
    "agresti_coull": "Agresti–Coull",
}

# The annual series of the trends chapter, in its tables, figure and text.
SERIES = {
    "notifications_total": "Serious incident notifications, all",
    "notifications_deaths": "Notifications, deaths",
    "notifications_serious_harm": "Notifications, serious harm",
    "notifications_other": "Notifications, other",
    "scr_national_analyses": "SCRs per national analysis (a year)",
}

# The trends chapter's forecasting models, as the backtest table and the report name them
# (in this order: the backtest's order, and its tie-break).
FORECAST_MODELS = {
    "trend_step": "quasi-Poisson trend (+ reform step)",
    "trend_step_nb2": "NB2 trend (+ reform step)",
    "post_reform": "quasi-Poisson trend, post-reform years only",
    "joinpoint": "joinpoint model",
    "naive": "naive (last year's count)",
}

# Inputs of the bruising chapter's assumptions table and sensitivity figures (config: bruising).
INPUTS = {
    "infants": "Non-mobile infants in England",
    "base_rate": "Base rate of accidental bruising (one look)",
    "plans_per_year": "Child protection plans a year",
    "visible_days": "Days a bruise stays visible",
    "prior": "Prior: share of infants physically abused",
    "weekly_point_prevalence": "Bruised on a weekly look (Kemp)",
    "observations": "Weekly looks per infant (Kemp)",
    "observed_period_prevalence": "Bruised over the weekly looks (Kemp)",
    "correlation": "Correlation of an infant's weeks (ρ)",
    "max_observations": "Most weekly looks drawn",
}


def model_input(name: str) -> str:
    """Reader's name of an input of the bruising analyses."""
    return INPUTS.get(name, words(name))
