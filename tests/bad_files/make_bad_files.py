"""Write the corpus of bad import files (run from the repo root: python tests/bad_files/make_bad_files.py).

Each file is SYNTHETIC test input: the numbers are made up and exist only to break the importer.
tests/test_imports.py holds the phrase each file's message must contain.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
D = pd.read_csv(REPO / "geodata" / "neighbourhoods.csv").sort_values("ward_code")
WARDS = list(D["ward_code"])
TIDY = "indicator_id,period,area_code,numerator,denominator,value\n"
FT = '"Indicator ID","Indicator Name","Area Code","Area Name","Area Type","Sex","Age","Time period","Value","Count","Denominator"\n'


def tidy_rows(
    ind="synthetic_test", period="2019/20", wards=WARDS, num=lambda k: 50 + k, den=lambda k: 1000 + k, pct=True
):
    out = []
    for k, w in enumerate(wards):
        n, d = num(k), den(k)
        v = "" if not pct or n == "" else f"{n / d * 100:.4f}"
        out.append(f"{ind},{period},{w},{n},{d},{v}\n")
    return out


def ft_rows(sex="Persons", period="2019/20", wards=WARDS):
    return [
        f'"99901","SYNTHETIC test","{w}","Ward {k}","Ward","{sex}","All ages","{period}","{(50 + k) / (1000 + k) * 100:.4f}","{50 + k}","{1000 + k}"\n'
        for k, w in enumerate(wards)
    ]


def write(name: str, content: str | bytes) -> None:
    p = HERE / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def main() -> None:
    good = TIDY + "".join(tidy_rows())
    write("01_empty.csv", b"")
    write("02_whitespace_only.csv", "\n\n   \n")
    write("03_png_image.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    write("04_pdf.csv", b"%PDF-1.4\n%SYNTHETIC\n")
    write("05_excel_xlsx.csv", b"PK\x03\x04" + b"\x00" * 64)
    write("06_utf16.csv", good.encode("utf-16"))
    write(
        "07_latin1.csv",
        (TIDY + "synthetic_test,2019/20,E05000687,50,1000,5\nsynthetic_caf\xe9,2019/20,E05000688,1,2,50\n").encode(
            "latin-1"
        ),
    )
    write("08_semicolons.csv", good.replace(",", ";"))
    write("09_tabs.csv", good.replace(",", "\t"))
    write("10_single_column.csv", "just some text\nmore text\n")
    write("11_header_only.csv", TIDY)
    write("12_missing_period.csv", "indicator_id,area_code,numerator,denominator\nx,E05000687,1,2\n")
    write("13_unrecognised_columns.csv", "name,age,town\nSYNTHETIC,3,Manchester\n")
    write(
        "14_fingertips_missing_value.csv",
        FT.replace(',"Value"', "")
        + "".join(r.rsplit(",", 3)[0] + "," + ",".join(r.rsplit(",", 2)[1:]) for r in ft_rows()),
    )
    write("15_unknown_area_code.csv", good.replace("E05000700", "E05099999"))
    write("16_lsoa2021_code.csv", TIDY + "".join(tidy_rows()).replace("E05000690", "E01034128"))
    write("17_negative_value.csv", TIDY + "".join(tidy_rows(num=lambda k: -5 if k == 3 else 50 + k, pct=False)))
    write(
        "18_percent_above_100.csv",
        "indicator_id,period,area_code,value,value_type\n"
        + "".join(f"x,2019/20,{w},{150 if k == 2 else 40},proportion\n" for k, w in enumerate(WARDS)),
    )
    write("19_numerator_above_denominator.csv", TIDY + "".join(tidy_rows(num=lambda k: 2000 if k == 5 else 50 + k)))
    write("20_duplicated_rows.csv", good + "".join(tidy_rows()[:3]))
    write(
        "21_mixed_period_formats.csv",
        TIDY + "".join(tidy_rows(period="2019/20")) + "".join(tidy_rows(period="2020-21")),
    )
    write("22_not_a_number.csv", good.replace(",50,1000,", ",fifty,1000,"))
    write("23_blank_area_code.csv", good.replace("E05000695", ""))
    write("24_blank_indicator.csv", good.replace("synthetic_test,2019/20,E05000696", ",2019/20,E05000696"))
    write("25_mixed_lsoa_and_ward.csv", good + "synthetic_test,2019/20,E01005061,5,100,5\n")
    write("26_ragged_rows.csv", good.replace("E05000701,", "E05000701,9,", 1))
    write("27_fingertips_no_persons.csv", FT + "".join(ft_rows(sex="Male")) + "".join(ft_rows(sex="Female")))
    write("28_zero_denominator.csv", TIDY + "".join(tidy_rows(den=lambda k: 0 if k == 4 else 1000 + k, pct=False)))
    write("29_html_page.csv", "<!DOCTYPE html><html><body>SYNTHETIC Fingertips page</body></html>\n")
    write("30_json.csv", '{"indicator": "SYNTHETIC", "values": [1, 2, 3]}\n')
    write("31_comments_only.csv", "# SYNTHETIC comment\n# another\n")
    write(
        "32_percent_signs.csv",
        "indicator_id,period,area_code,value\n" + "".join(f"x,2019/20,{w},{40 + k}%\n" for k, w in enumerate(WARDS)),
    )
    write("33_missing_wards.csv", TIDY + "".join(tidy_rows(wards=WARDS[:20])))
    write("34_blank_period.csv", good.replace("2019/20,E05000711", ",E05000711"))
    write("35_duplicate_column.csv", "indicator_id,period,area_code,numerator,numerator\nx,2019/20,E05000687,1,2\n")
    write(
        "36_no_manchester_areas.csv",
        FT
        + '"99901","SYNTHETIC","E92000001","England","England","Persons","All ages","2019/20","5","50","1000"\n'
        + '"99901","SYNTHETIC","E08000006","Salford","District","Persons","All ages","2019/20","5","50","1000"\n',
    )
    write(
        "37_bad_polarity.csv",
        "indicator_id,period,area_code,numerator,denominator,polarity\n"
        + "".join(f"x,2019/20,{w},5,100,up\n" for w in WARDS),
    )
    write("38_fingertips_other_council_only.csv", FT + "".join(ft_rows(wards=[f"E0500{k:04d}" for k in range(10, 42)])))
    write("39_unclosed_quote.csv", TIDY + 'synthetic_test,"2019/20,E05000687,50,1000,5\n' + "".join(tidy_rows()[1:]))
    write("40_no_counts_no_values.csv", "indicator_id,period,area_code,denominator\nx,2019/20,E05000687,100\n")


if __name__ == "__main__":
    main()
