"""The commitment applicants confirm, item by item.

The wording is versioned: change the text, raise VERSION, and what earlier applicants agreed to
stays exactly as it was (each application points at the stored text it saw).
"""

VERSION = 1
ITEMS: tuple[tuple[str, str], ...] = (
    ("clinically_active",
     "I am clinically active: I currently care for patients or clients."),
    ("willing_to_present",
     "I am willing to present a case from my own practice when it is my turn, sharing no details that could identify the patient."),
    ("attend_all_sessions",
     "I will attend every meeting of the series, in full, on the dates listed."),
    ("emotional_readiness",
     "This is a suitable point in my life for group work that can stir strong feelings."),
    ("confidentiality",
     "I will keep what is said in the group confidential."),
)
KEYS = tuple(key for key, _ in ITEMS)
INTRO = ("A Balint group depends on every member's commitment. Applying does not guarantee a place: "
         "the leaders choose the group. Please confirm each of the following.")


def missing_items(answers: object) -> dict[str, str]:
    """Each item not confirmed with a plain `true`, with the reason, for a 422."""
    if not isinstance(answers, dict):
        return {f"attestation.{key}": "Must be confirmed (true)." for key in KEYS}
    return {f"attestation.{key}": "Must be confirmed (true)." for key in KEYS if answers.get(key) is not True}
