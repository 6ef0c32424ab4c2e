"""The synthetic extract's layout: fields, codes, and the published rows behind each.

Structural facts from the codebook (data/raw/extracts/codebook.schema.json: fields,
age bands, codes), the analysis period, and the maps from the published tables'
row_ids to the extract's fields and codes. Two assumptions are typed here, each
marked as one: `OTHER_ETHNIC_GROUPS` and `OTHER_PLAN_CATEGORIES`.
"""

from __future__ import annotations

from datetime import date

FIELDS = [
    "review_id",
    "coding_round",
    "coder",
    "review_type",
    "notification_date",
    "report_status",
    "qualitative_sample",
    "outcome",
    "death_maltreatment",
    "child_sex",
    "age_months",
    "age_band",
    "ethnicity",
    "living_situation",
    "social_care",
    "cp_plan",
    "cp_plan_category",
    "review_method",
    "primary_harm",
    "parental_alcohol_misuse",
    "parental_drug_misuse",
    "parental_mental_health",
    "parental_adverse_childhood_experiences",
    "parental_intellectual_disability",
    "parental_criminal_record",
    "parental_violent_crime",
    "parental_separation",
    "parental_separation_acrimonious",
    "domestic_abuse",
    "social_isolation",
    "transient_lifestyle",
    "multiple_partners",
    "poverty",
    "child_disability",
    "child_behaviour_problems",
    "child_alcohol_misuse",
    "child_drug_misuse",
    "child_mental_health",
    "child_bullying",
    "child_sexual_exploitation",
    "neglect_feature",
    "child_criminal_exploitation",
]

# Structural facts from the codebook: completed months of each age band.
BANDS = {
    "under_1": (0, 11),
    "1_to_5": (12, 71),
    "6_to_10": (72, 131),
    "11_to_15": (132, 191),
    "16_plus": (192, 215),
}
YOUNGER = ("under_1", "1_to_5", "6_to_10")
OLDER = ("11_to_15", "16_plus")
PERIOD = (date(2014, 4, 1), date(2017, 3, 31))
CODERS = ("AB", "CD", "EF")
# "adolescent males aged 14 to 17" (adol_criminal_exploitation's quote), in months.
EXPLOITATION_AGE = (14 * 12, 17 * 12 + 11)
# Assumed weights for the ethnic groups other than white: rough shares (per cent)
# of England's children in the 2011 Census. Not a published figure.
OTHER_ETHNIC_GROUPS = {"mixed": 5, "asian": 10, "black": 5, "other": 2}
# Categories of a plan other than neglect, in roughly their national order.
OTHER_PLAN_CATEGORIES = ("emotional_abuse", "physical_abuse", "multiple", "sexual_abuse")
KNOWN_PLAN_CATEGORIES = ("neglect", *OTHER_PLAN_CATEGORIES)

AVAILABLE, NOTED, NOT_NOTED, NA = "available", "noted", "not_noted", "not_applicable"
NOT_RECORDED, DEATH, SERIOUS_HARM = "not_recorded", "death", "serious_harm"
PLAN = ("current", "past")

TABLE_1_2 = {
    "t1_alcohol_misuse": "parental_alcohol_misuse",
    "t1_drug_misuse": "parental_drug_misuse",
    "t1_mental_health": "parental_mental_health",
    "t1_adverse_childhood_experiences": "parental_adverse_childhood_experiences",
    "t1_intellectual_disability": "parental_intellectual_disability",
    "t1_criminal_record": "parental_criminal_record",
    "t1_violent_crime": "parental_violent_crime",
    "t2_parental_separation": "parental_separation",
    "t2_separation_acrimonious": "parental_separation_acrimonious",
    "t2_domestic_abuse": "domestic_abuse",
    "t2_social_isolation": "social_isolation",
    "t2_transient_lifestyle": "transient_lifestyle",
    "t2_multiple_partners": "multiple_partners",
    "t2_poverty": "poverty",
}
ALCOHOL, DRUG = "parental_alcohol_misuse", "parental_drug_misuse"
# Table 4 counts parental alcohol or drug misuse as one adversity.
SUBSTANCE = "parental_alcohol_or_drug_misuse"
TABLE_4 = {
    "t4_domestic_abuse": "domestic_abuse",
    "t4_parental_mental_health": "parental_mental_health",
    "t4_parental_adverse_childhood_experiences": "parental_adverse_childhood_experiences",
    "t4_poverty": "poverty",
    "t4_parental_substance_misuse": SUBSTANCE,
    "t4_parental_criminal_behaviour": "parental_criminal_record",
    "t4_transient_lifestyle": "transient_lifestyle",
    "t4_multiple_partners": "multiple_partners",
    "t4_social_isolation": "social_isolation",
}
# The neglect paragraph's groups: no adversity, one or two, at least three.
FEW, MANY = 2, 3
TABLE_3 = {
    "disability": "child_disability",
    "behaviour": "child_behaviour_problems",
    "alcohol": "child_alcohol_misuse",
    "drug": "child_drug_misuse",
    "mental_health": "child_mental_health",
    "bullying": "child_bullying",
    "cse": "child_sexual_exploitation",
}
TABLE_5 = {
    "t5_traditional": "traditional_imr_chronology",
    "t5_scie": "scie_learning_together",
    "t5_silp": "silp",
    "t5_welsh": "welsh_child_practice_review",
    "t5_hybrid": "hybrid_or_unspecified_systems",
    "t5_unclear": "unclear",
    "t5_other": "other",
}
LIVED = {
    "key_lived_home": "home",
    "key_lived_relatives": "relatives",
    "key_lived_foster": "foster_carers",
    "key_lived_residential": "residential",
}
SOCIAL_CARE = {
    "key_social_care_current": "current",
    "key_social_care_closed": "previously_known_closed",
    "key_social_care_never": "never_known",
}
