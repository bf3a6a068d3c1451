"""The presenter's scenes, in the order they tell the Midlands' story.

A scene is data: a title and subtitle for the screen, the filter it applies (the same
:class:`layers.filters.SiteFilter` the app and the exports use), where the map looks, whether
the Defence Belt is drawn, and the words its figures and notes start from. Moving between
scenes and their URLs is :mod:`mapping.scenes`; their figures and notes,
:mod:`mapping.scene_words`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from layers.filters import SiteFilter


@dataclass(frozen=True)
class Scene:
    """One presenter scene.

    Attributes
    ----------
    key
        A short stable slug, used in URLs (``?scene=combat-air``).
    title, subtitle
        What the screen says (plain text; the map escapes it).
    filter
        The sites the scene selects.
    center
        Where the map is centred, as (lat, lon) in WGS84.
    zoom
        The Leaflet zoom level (fractions allowed; the map snaps to quarters).
    show_belt
        Draw the Midlands Defence Belt computed from the scene's sites.
    topic
        What the scene's sites are, in a sentence's words ("combat air sites").
    opening
        The speaker's first line for the scene, written for it (the data follows it).
    blueprint
        Keys of the Blueprint figures (``layers.blueprint``) that are about this scene.
    """

    key: str
    title: str
    subtitle: str
    filter: SiteFilter = field(default_factory=SiteFilter)
    center: tuple[float, float] = (52.75, -1.5)
    zoom: float = 8.0
    show_belt: bool = False
    topic: str = "defence and security sites"
    opening: str = ""
    blueprint: tuple[str, ...] = ()


SCENES: tuple[Scene, ...] = (
    Scene(
        key="overview",
        title="Overview",
        subtitle="The Midlands' defence and security sites, by main capability and kind",
        filter=SiteFilter(),
        center=(52.75, -1.5),
        zoom=8.0,
        topic="defence and security sites",
        opening=(
            "Start with the whole region: every site on the registry, coloured by what it does."
        ),
        blueprint=("companies", "ads_employment"),
    ),
    Scene(
        key="combat-air",
        title="Combat air",
        subtitle="Aero-engines and flight systems, their research, and RAF stations and ranges",
        filter=SiteFilter(capabilities=("combat_air",)),
        center=(52.8, -1.2),
        zoom=8.0,
        topic="combat air sites",
        opening=(
            "Combat air is the region's aero-engine and flight systems base beside the RAF's "
            "stations and ranges."
        ),
        blueprint=("ads_employment",),
    ),
    Scene(
        key="nuclear-propulsion",
        title="Nuclear and propulsion",
        subtitle="Submarine reactors and nuclear skills in Derby; engines, batteries, future power",
        filter=SiteFilter(capabilities=("nuclear_propulsion", "power_propulsion")),
        center=(52.8, -1.45),
        zoom=8.5,
        topic="nuclear and propulsion sites",
        opening=(
            "Nuclear propulsion is centred on Derby, where the Royal Navy's submarine reactors are"
            " made; future power and batteries sit around it."
        ),
        blueprint=(),
    ),
    Scene(
        key="land-systems",
        title="Land systems",
        subtitle="Armoured vehicles, guns and equipment support, with barracks and training areas",
        filter=SiteFilter(capabilities=("land_systems",)),
        center=(52.7, -1.5),
        zoom=8.0,
        topic="land systems sites",
        opening=(
            "Land systems: the armoured vehicles and guns built in Telford, the equipment they "
            "need, and the Army's bases."
        ),
        blueprint=("regular_forces",),
    ),
    Scene(
        key="cyber",
        title="Cyber",
        subtitle="Malvern and Hereford's cyber clusters, secure communications, universities",
        filter=SiteFilter(capabilities=("cyber_digital",)),
        center=(52.6, -1.6),
        zoom=8.0,
        topic="cyber and secure communications sites",
        opening=(
            "Cyber and secure communications cluster around Malvern and Hereford, with the "
            "universities that train for them."
        ),
        blueprint=(),
    ),
    Scene(
        key="defence-medicine",
        title="Defence medicine and rehabilitation",
        subtitle="Stanford Hall's rehabilitation centres and the Royal Centre for Defence Medicine",
        filter=SiteFilter(capabilities=("defence_medicine",)),
        center=(52.7, -1.5),
        zoom=9.0,
        topic="defence medicine sites",
        opening=(
            "Defence medicine: rehabilitation at Stanford Hall and the Royal Centre for Defence "
            "Medicine in Birmingham."
        ),
        blueprint=("covenant_signatories",),
    ),
    Scene(
        key="space-istar",
        title="Space and ISTAR",
        subtitle="Space Park Leicester, and Lincolnshire's intelligence and surveillance stations",
        filter=SiteFilter(capabilities=("space", "istar")),
        center=(52.65, -1.5),
        zoom=8.0,
        topic="space and ISTAR sites",
        opening=(
            "Space and ISTAR: Space Park Leicester, and Lincolnshire's intelligence, surveillance "
            "and reconnaissance stations."
        ),
        blueprint=("high_skilled_jobs",),
    ),
    Scene(
        key="belt",
        title="The Belt",
        subtitle="The Midlands Defence Belt: a corridor computed from where the sites are",
        filter=SiteFilter(in_belt=True),
        center=(52.65, -1.6),
        zoom=8.25,
        show_belt=True,
        topic="sites in the Defence Belt",
        opening=(
            "The Defence Belt is a model, computed from where the sites are: a corridor joining "
            "the region's clusters, not a drawn line."
        ),
        blueprint=(),
    ),
)
