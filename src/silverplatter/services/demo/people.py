"""The people of the demo world: names, titles, buying-committee roles and the seller's staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class NamePool:
    first: tuple[str, ...]
    last: tuple[str, ...]


NAME_POOLS: Final = {
    "fi": NamePool(
        ("Aino", "Anna", "Elina", "Hanna", "Johanna", "Katja", "Laura", "Maria", "Sanna",
         "Riikka", "Mikko", "Juha", "Jukka", "Antti", "Ville", "Timo", "Sami", "Kari", "Petri",
         "Tuomas"),
        ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
         "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Heinonen",
         "Niemi", "Kinnunen", "Jääskeläinen", "Turunen"),
    ),
    "se": NamePool(
        ("Anna", "Eva", "Karin", "Sara", "Emma", "Maja", "Lena", "Erik", "Lars", "Anders",
         "Johan", "Magnus", "Per", "Nils", "Oskar", "Henrik"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
         "Persson", "Svensson", "Gustafsson", "Lindqvist", "Lindström", "Berg", "Ek", "Holm",
         "Sjöberg"),
    ),
    "no": NamePool(
        ("Ingrid", "Kari", "Silje", "Ida", "Nora", "Hilde", "Marit", "Ole", "Lars", "Knut",
         "Bjørn", "Håkon", "Eirik", "Sindre", "Morten", "Terje"),
        ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
         "Kristiansen", "Jensen", "Karlsen", "Haugen", "Bakke", "Dahl", "Solberg", "Strand",
         "Lie"),
    ),
    "dk": NamePool(
        ("Mette", "Sofie", "Camilla", "Line", "Pia", "Anne", "Louise", "Jens", "Mads", "Søren",
         "Rasmus", "Niels", "Anders", "Kasper", "Thomas", "Frederik"),
        ("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
         "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
         "Thomsen", "Poulsen"),
    ),
    "ee": NamePool(
        ("Kadri", "Liis", "Maarja", "Kristiina", "Triin", "Kertu", "Andres", "Jaan", "Toomas",
         "Mart", "Rein", "Priit", "Tanel", "Margus"),
        ("Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn", "Koppel",
         "Lepik", "Oja", "Kallas", "Luik"),
    ),
    "de": NamePool(
        ("Anna", "Julia", "Katharina", "Sabine", "Claudia", "Laura", "Petra", "Stefan",
         "Thomas", "Michael", "Andreas", "Markus", "Jan", "Tobias", "Jürgen", "Klaus"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann"),
    ),
    "nl": NamePool(
        ("Anouk", "Sanne", "Lotte", "Eva", "Femke", "Marieke", "Daan", "Bram", "Thijs",
         "Joost", "Pieter", "Ruben", "Sander", "Jeroen"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
         "de Boer", "Mulder", "Bos", "Vos", "Peters", "Hendriks"),
    ),
    "en": NamePool(
        ("Emma", "Olivia", "Sophie", "Charlotte", "Hannah", "Lucy", "James", "Oliver",
         "Thomas", "Daniel", "Matthew", "George", "David", "Richard"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes"),
    ),
    "pl": NamePool(
        ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Piotr",
         "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Jakub", "Łukasz"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
         "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski"),
    ),
    "fr": NamePool(
        ("Camille", "Julie", "Claire", "Manon", "Chloé", "Léa", "Thomas", "Nicolas", "Julien",
         "Pierre", "Antoine", "Mathieu", "Hugo", "Louis"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel"),
    ),
    "lt": NamePool(
        ("Rūta", "Ieva", "Agnė", "Eglė", "Jurgita", "Tomas", "Mantas", "Darius", "Andrius",
         "Giedrius", "Lukas"),
        ("Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas",
         "Žukauskas", "Butkus", "Paulauskas"),
    ),
    "lv": NamePool(
        ("Anna", "Ilze", "Līga", "Kristīne", "Inese", "Jānis", "Andris", "Māris", "Edgars",
         "Kārlis"),
        ("Bērziņš", "Kalniņš", "Ozoliņš", "Jansons", "Ozols", "Liepiņš", "Krūmiņš", "Balodis"),
    ),
}  # fmt: skip
NAME_POOL_KEYS: Final = tuple(sorted(NAME_POOLS))

TITLES: Final = {
    ("C-level", "Executive management"): ("CEO", "Managing Director"),
    ("C-level", "Finance"): ("CFO",),
    ("C-level", "IT"): ("CIO", "CTO"),
    ("C-level", "Operations"): ("COO",),
    ("C-level", "Sales"): ("Chief Commercial Officer",),
    ("VP", "Finance"): ("VP Finance",),
    ("VP", "IT"): ("VP IT", "VP Digital"),
    ("VP", "Operations"): ("VP Operations",),
    ("VP", "Supply chain"): ("VP Supply Chain",),
    ("VP", "Sales"): ("VP Sales",),
    ("VP", "R&D"): ("VP R&D",),
    ("Director", "Finance"): ("Finance Director",),
    ("Director", "IT"): ("IT Director",),
    ("Director", "Operations"): ("Operations Director",),
    ("Director", "Production"): ("Production Director", "Plant Director"),
    ("Director", "Supply chain"): ("Supply Chain Director", "Logistics Director"),
    ("Director", "Sales"): ("Sales Director",),
    ("Director", "Procurement"): ("Procurement Director",),
    ("Director", "Quality"): ("Quality Director",),
    ("Director", "HR"): ("HR Director",),
    ("Manager", "Finance"): ("Finance Manager",),
    ("Manager", "IT"): ("IT Manager", "ERP Manager"),
    ("Manager", "Operations"): ("Operations Manager",),
    ("Manager", "Production"): ("Production Manager", "Plant Manager"),
    ("Manager", "Supply chain"): ("Logistics Manager", "Supply Chain Manager"),
    ("Manager", "Sales"): ("Sales Manager",),
    ("Manager", "Marketing"): ("Marketing Manager",),
    ("Manager", "Procurement"): ("Purchasing Manager",),
    ("Manager", "Quality"): ("Quality Manager",),
    ("Manager", "R&D"): ("R&D Manager",),
    ("Specialist", "Executive management"): ("Executive Assistant",),
    ("Specialist", "Finance"): ("Controller", "Accountant"),
    ("Specialist", "IT"): ("ERP Specialist", "Systems Specialist", "Business Analyst"),
    ("Specialist", "Production"): ("Production Planner",),
    ("Specialist", "Supply chain"): ("Logistics Coordinator", "Buyer"),
    ("Specialist", "Procurement"): ("Buyer",),
    ("Specialist", "Quality"): ("Quality Engineer",),
    ("Specialist", "Sales"): ("Sales Coordinator",),
    ("Specialist", "Marketing"): ("Marketing Specialist",),
}


@dataclass(frozen=True)
class RoleProfile:
    """Who tends to hold a buying-committee role, and how much they read and click."""

    decision_role: str
    positions: tuple[tuple[str, str, float], ...]  # (seniority, department, weight)
    interest_factor: float


ROLE_PROFILES: Final = {
    profile.decision_role: profile
    for profile in (
        RoleProfile(
            "decision_maker",
            (
                ("C-level", "Executive management", 5),
                ("C-level", "Operations", 2),
                ("C-level", "Finance", 1),
                ("C-level", "IT", 1),
                ("VP", "Operations", 1),
            ),
            0.7,
        ),
        RoleProfile(
            "economic_buyer",
            (("C-level", "Finance", 3), ("VP", "Finance", 1), ("Director", "Finance", 3)),
            0.75,
        ),
        RoleProfile(
            "champion",
            (
                ("Director", "Operations", 2),
                ("Director", "Production", 2),
                ("Manager", "Production", 2),
                ("Director", "IT", 2),
                ("Manager", "IT", 2),
                ("Director", "Supply chain", 1),
                ("Manager", "Supply chain", 1),
            ),
            1.35,
        ),
        RoleProfile(
            "influencer",
            (
                ("VP", "Operations", 1),
                ("VP", "IT", 1),
                ("VP", "Supply chain", 1),
                ("VP", "Sales", 1),
                ("Director", "Sales", 1),
                ("Director", "Quality", 1),
                ("Director", "Procurement", 1),
                ("Manager", "Quality", 1),
                ("Manager", "Procurement", 1),
                ("Manager", "Sales", 1),
                ("Director", "HR", 0.5),
                ("Manager", "Marketing", 0.5),
                ("VP", "R&D", 0.5),
                ("Manager", "R&D", 0.5),
            ),
            1.0,
        ),
        RoleProfile(
            "user",
            (
                ("Specialist", "IT", 2),
                ("Specialist", "Production", 2),
                ("Specialist", "Supply chain", 2),
                ("Specialist", "Finance", 2),
                ("Specialist", "Quality", 1),
                ("Manager", "Operations", 1),
                ("Specialist", "Sales", 1),
                ("Specialist", "Marketing", 0.5),
            ),
            1.1,
        ),
        RoleProfile(
            "gatekeeper",
            (("Specialist", "Executive management", 2), ("Specialist", "Procurement", 1)),
            0.5,
        ),
    )
}

#: The order in which a buying committee fills up as it grows (1 to 15 people).
COMMITTEE_ORDER: Final = (
    "decision_maker",
    "champion",
    "economic_buyer",
    "influencer",
    "user",
    "influencer",
    "user",
    "gatekeeper",
    "user",
    "influencer",
    "user",
    "champion",
    "user",
    "influencer",
    "user",
)

#: The worries a department typically reads about (domain §7 buyer personas), first = most.
DEPARTMENT_WORRIES: Final = {
    "Executive management": ("growth", "cost_control", "ageing_systems"),
    "Finance": ("cost_control", "compliance"),
    "IT": ("integration", "ageing_systems"),
    "Operations": ("delivery_reliability", "production_visibility"),
    "Production": ("production_visibility", "delivery_reliability"),
    "Supply chain": ("delivery_reliability", "integration"),
    "Sales": ("growth", "delivery_reliability"),
    "Marketing": ("growth",),
    "Procurement": ("cost_control",),
    "Quality": ("compliance", "production_visibility"),
    "R&D": ("integration", "growth"),
    "HR": ("growth", "compliance"),
}


@dataclass(frozen=True)
class StaffMember:
    """A user of the workspace: the seller's own people."""

    email: str
    name: str
    role: str
    active: bool = True
    account_share: float = 0.0  # share of owned accounts, for sales people


STAFF: Final = (
    StaffMember("admin@demo.silverplatter.example", "Demo Admin", "admin"),
    StaffMember("marketing@demo.silverplatter.example", "Demo Marketing", "marketing"),
    StaffMember("sales@demo.silverplatter.example", "Demo Sales", "sales", account_share=0.30),
    StaffMember("mikko.salonen@demo.silverplatter.example", "Mikko Salonen", "sales",
                account_share=0.22),
    StaffMember("sara.lindqvist@demo.silverplatter.example", "Sara Lindqvist", "sales",
                account_share=0.22),
    StaffMember("jonas.berg@demo.silverplatter.example", "Jonas Berg", "sales",
                account_share=0.14),
    # left the company: the accounts she still owns are ghost accounts (domain §11)
    StaffMember("laura.kivi@demo.silverplatter.example", "Laura Kivi", "sales", active=False,
                account_share=0.12),
)  # fmt: skip
