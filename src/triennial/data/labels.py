"""Display names for measures and groups: the tables use snake_case ids, readers words."""

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

# Where parents' and children's measures sit side by side, say whose.
WHOSE = {
    "parental_mental_health": "Parent's mental health problems",
    "parental_alcohol_or_drug_misuse": "Parent's alcohol or drug misuse",
    "child_mental_health": "Child's mental health problems",
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

AGE_BANDS = ["under_1", "1_to_5", "6_to_10", "11_to_15", "16_plus"]


def measure(name: str, table: str | None = None) -> str:
    """Reader's name of a measure (falls back to the id with spaces)."""
    if table == "table4_neglect_adversity" and name in TABLE4_MEASURES:
        return TABLE4_MEASURES[name]
    if table == "panel" and name in WHOSE:
        return WHOSE[name]
    return MEASURES.get(name, name.replace("_", " ").capitalize())


def group(name: str) -> str:
    """Reader's name of a group."""
    return GROUPS.get(name, name.replace("_", " "))


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
