"""arXiv's category taxonomy (https://arxiv.org/category_taxonomy): the names a digest or a
feed can ask for, so that a typo is caught before any request and answered with close names."""

from __future__ import annotations

from rapidfuzz import process

_SUBJECTS = {
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE "
          "NI OH OS PF PL RO SC SD SE SI SY",
    "econ": "EM GN TH",
    "eess": "AS IV SP SY",
    "gr-qc": "",
    "hep-ex": "",
    "hep-lat": "",
    "hep-ph": "",
    "hep-th": "",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA "
            "RT SG SP ST",
    "math-ph": "",
    "nlin": "AO CD CG PS SI",
    "nucl-ex": "",
    "nucl-th": "",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph "
               "flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "quant-ph": "",
    "stat": "AP CO ME ML OT TH",
}

CATEGORIES: tuple[str, ...] = tuple(
    [archive for archive in _SUBJECTS]
    + [f"{archive}.{subject}" for archive, subjects in _SUBJECTS.items() for subject in subjects.split()]
)
_BY_FOLDED = {name.casefold(): name for name in CATEGORIES}


def canonical(name: str) -> str | None:
    """The category's official spelling (`CS.lg` → `cs.LG`), or None if arXiv has no such one."""
    return _BY_FOLDED.get(name.strip().casefold())


def closest(name: str, limit: int = 3) -> list[str]:
    """The category names nearest to a misspelt one."""
    if not name.strip():
        return []
    return [match for match, _, _ in process.extract(name.strip(), CATEGORIES, limit=limit)]
