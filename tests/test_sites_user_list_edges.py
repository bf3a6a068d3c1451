"""layers.sites.read_user_sites hands the user's file and every option on to the upload reader.

The table is typed out here; which column names the site is chosen by ``column_map``, so a
result named from the other column shows the option was lost on the way.
"""

from __future__ import annotations

from layers import sites

TABLE = (
    b"name,label,lat,lon,capabilities\n"
    b"Alpha Works,Beta Works,52.586,-1.982,space\n"
    b"Gamma Works,Delta Works,95,1,space\n"
)


def test_the_file_and_its_options_reach_the_upload_reader(boundaries_dir):
    found, problems = sites.read_user_sites(
        TABLE, name="members.csv", column_map={"name": "label"}, boundaries_dir=boundaries_dir
    )
    # the site is named from the column the map chose, not the one called "name"
    assert list(found["name"]) == ["Beta Works"]
    assert list(found["site_id"]) == ["upload-2"]
    assert type(problems) is list
    assert "row 3: lat/lon '95, 1' are outside -90..90 (lat) and -180..180 (lon)" in [
        str(problem) for problem in problems
    ]
