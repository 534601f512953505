"""Write the DOCX and PDF gate cases of this folder.

The text and HTML cases are written by hand. The binary ones are built here,
so that their content can be read and changed in one place. Run from the
repository root with the project's venv:

    .venv/bin/python evals/cases/gate/make_binary_cases.py

The files are rewritten in place; cases.jsonl is not touched.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pikepdf
from docx.shared import Inches
from PIL import Image

HERE = Path(__file__).resolve().parent

ISSUER = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"


def new_document(*paragraphs: str) -> docx.document.Document:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    return document


def header_table(document: docx.document.Document, *cells: str) -> None:
    table = document.sections[0].header.add_table(1, len(cells), Inches(6.5))
    for index, text in enumerate(cells):
        table.cell(0, index).text = text


def b06_header_table() -> None:
    document = new_document(
        "KẾ HOẠCH",
        "Bảo vệ mục tiêu trọng điểm trong dịp Quốc khánh",
        "Các lực lượng phối hợp tuần tra theo sơ đồ kèm theo.",
    )
    header_table(document, ISSUER, NATIONAL_TITLE, "TỐI MẬT")
    document.save(HERE / "b06_header_table.docx")


def b07_footer() -> None:
    document = new_document(
        "BÁO CÁO",
        "Kết quả rà soát hồ sơ nhân sự diện quy hoạch",
        "Tổng hợp theo từng đơn vị, chi tiết tại phụ lục.",
    )
    document.sections[0].footer.paragraphs[0].text = "MẬT"
    document.save(HERE / "b07_footer.docx")


def b08_core_properties() -> None:
    document = new_document(
        "PHƯƠNG ÁN",
        "Sơ tán dân cư khi xảy ra sự cố công trình ngầm",
        "Phương án gồm ba cấp độ ứng phó.",
    )
    document.core_properties.title = "Phương án sơ tán"
    document.core_properties.keywords = "phương án; sơ tán; TUYỆT MẬT"
    document.save(HERE / "b08_core_properties.docx")


def b23_custom_property() -> None:
    path = HERE / "b23_custom_property.docx"
    document = new_document(
        "Bid evaluation summary",
        "Scores of the three shortlisted bids for the ticketing platform.",
    )
    document.save(path)
    add_custom_property(path, "Sensitivity", "Highly Confidential")


def b24_body_table() -> None:
    document = docx.Document()
    table = document.add_table(1, 3)
    table.cell(0, 0).text = "SỞ XÂY DỰNG"
    table.cell(0, 1).text = NATIONAL_TITLE
    table.cell(0, 2).text = "MẬT"
    document.add_paragraph("BÁO CÁO")
    document.add_paragraph("Đánh giá an toàn kết cấu các cầu vượt trên tuyến vành đai.")
    document.save(HERE / "b24_body_table.docx")


def a11_clean() -> None:
    document = new_document(
        "THÔNG BÁO",
        "Lịch tiếp công dân của lãnh đạo phường tháng 7 năm 2024",
        "Lãnh đạo phường tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở.",
    )
    header_table(document, "ỦY BAN NHÂN DÂN\nPHƯỜNG BA ĐÌNH", NATIONAL_TITLE)
    document.sections[0].footer.paragraphs[0].text = "Trang 1"
    document.core_properties.title = "Lịch tiếp công dân"
    document.core_properties.keywords = "tiếp công dân; lịch; phường"
    document.save(HERE / "a11_clean.docx")


def a18_declassified_header() -> None:
    document = new_document(
        "BÁO CÁO",
        "Tổng kết công tác bảo vệ an ninh nội bộ giai đoạn 2015 - 2018",
        "Báo cáo đã được giải mật theo quyết định của cơ quan có thẩm quyền.",
    )
    header_table(document, ISSUER, "GIẢI MẬT\nTừ: 10/01/2024")
    document.save(HERE / "a18_declassified_header.docx")


def a22_clean_with_tables() -> None:
    document = docx.Document()
    table = document.add_table(2, 2)
    table.cell(0, 0).text = "SỞ Y TẾ"
    table.cell(0, 1).text = NATIONAL_TITLE
    table.cell(1, 0).text = "Độ khẩn: Hỏa tốc"
    table.cell(1, 1).text = "Hà Nội, ngày 02 tháng 8 năm 2024"
    document.add_paragraph("V/v tăng cường kiểm soát mật độ muỗi tại các ổ dịch")
    document.add_paragraph("Các trung tâm y tế báo cáo mật độ muỗi theo mẫu kèm theo.")
    document.sections[0].footer.paragraphs[0].text = "Lưu: VT, NVY."
    document.save(HERE / "a22_clean_with_tables.docx")


def add_custom_property(path: Path, name: str, value: str) -> None:
    """Add docProps/custom.xml, which python-docx cannot write, to a saved DOCX."""
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="{name}">'
        f"<vt:lpwstr>{value}</vt:lpwstr></property></Properties>"
    )
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["docProps/custom.xml"] = custom.encode()
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/docProps/custom.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
    )
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry_name, data in entries.items():
            target.writestr(entry_name, data)


W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD_TYPES = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def notes_xml(root: str, item: str, text: str, first_id: int = 0) -> bytes:
    """Return a comments, footnotes or endnotes part holding one note with text."""
    extra = ' w:author="Văn thư" w:initials="VT"' if item == "comment" else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} xmlns:w="{W_NAMESPACE}">'
        f'<w:{item} w:id="{first_id}"{extra}><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{item}></w:{root}>'
    ).encode()


def add_document_part(path: Path, name: str, xml: bytes, content_type: str, relationship: str) -> None:
    """Add a part that the main document refers to (comments, footnotes) to a saved DOCX."""
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    entries[f"word/{name}"] = xml
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/word/{name}" ContentType="{content_type}"/></Types>'.encode()
    )
    entries["word/_rels/document.xml.rels"] = entries["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rId{name.split(".")[0]}" Type="{RELATIONSHIPS}/{relationship}" '
        f'Target="{name}"/></Relationships>'.encode(),
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry_name, data in entries.items():
            target.writestr(entry_name, data)


def add_comment(path: Path, text: str) -> None:
    add_document_part(path, "comments.xml", notes_xml("comments", "comment", text), f"{WORD_TYPES}.comments+xml",
                      "comments")


def add_footnote(path: Path, text: str) -> None:
    add_document_part(path, "footnotes.xml", notes_xml("footnotes", "footnote", text, first_id=1),
                      f"{WORD_TYPES}.footnotes+xml", "footnotes")


def add_described_picture(document: docx.document.Document, description: str) -> None:
    """Add a small picture whose alternative text (wp:docPr descr) is description."""
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(image, format="PNG")
    image.seek(0)
    document.add_picture(image, width=Inches(1))
    inline = document.inline_shapes[-1]._inline
    inline.docPr.set("descr", description)


def b33_docx_comment() -> None:
    path = HERE / "b33_docx_comment.docx"
    new_document(
        "KẾ HOẠCH",
        "Kiểm tra công tác phòng cháy tại các chợ đầu mối",
        "Đoàn kiểm tra làm việc theo lịch gửi kèm.",
    ).save(path)
    add_comment(path, "TỐI MẬT")


def b34_docx_footnote() -> None:
    path = HERE / "b34_docx_footnote.docx"
    new_document(
        "BÁO CÁO",
        "Tiến độ giải phóng mặt bằng tuyến đường vành đai",
        "Số liệu chi tiết tại chú thích.",
    ).save(path)
    add_footnote(path, "Độ mật: Tuyệt mật. Số liệu do ban quản lý dự án cung cấp.")


def b35_docx_alt_text() -> None:
    document = new_document(
        "SƠ ĐỒ",
        "Bố trí lực lượng tại khu vực hội nghị",
    )
    add_described_picture(document, "MẬT")
    document.save(HERE / "b35_docx_alt_text.docx")


def a32_clean_notes() -> None:
    path = HERE / "a32_clean_notes.docx"
    document = new_document(
        "BÁO CÁO",
        "Mật độ dân số các phường năm 2024",
        "Mật độ bình quân tăng nhẹ so với năm trước.",
    )
    add_described_picture(document, "Biểu đồ mật độ dân số theo phường")
    document.save(path)
    add_comment(path, "Đề nghị kiểm tra lại số liệu mật độ của phường Cửa Nam.")
    add_footnote(path, "Số liệu do Chi cục Thống kê cung cấp.")


def pdf_with_text(lines: list[str]) -> pikepdf.Pdf:
    """Return a one-page PDF showing ASCII lines in Helvetica."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    commands = ["BT", "/F1 12 Tf", "72 720 Td", "16 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        commands.append(f"({escaped}) Tj T*")
    commands.append("ET")
    page = pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream("\n".join(commands).encode("ascii")),
        )
    )
    pdf.pages.append(page)
    return pdf


def b11_pdf_metadata() -> None:
    pdf = pdf_with_text(["Inspection schedule for district markets, third quarter."])
    pdf.docinfo["/Title"] = "Lịch kiểm tra chợ"
    pdf.docinfo["/Subject"] = "TỐI MẬT"
    pdf.save(HERE / "b11_pdf_metadata.pdf")


def a13_clean_pdf() -> None:
    pdf = pdf_with_text(["Guide to securing your public service account.", "Never share your password."])
    pdf.docinfo["/Title"] = "Hướng dẫn bảo mật tài khoản"
    pdf.docinfo["/Keywords"] = "bảo mật, mật khẩu"
    pdf.save(HERE / "a13_clean.pdf")


def b32_pdf_mark_before_title() -> None:
    pdf = pdf_with_text(
        [
            "TOI MAT - Bao cao tinh hinh tiep nhan ho so mot cua thang 10",
            "So ho so tiep nhan tang so voi thang truoc.",
        ]
    )
    pdf.save(HERE / "b32_pdf_mark_before_title.pdf")


def a23_public_notice_pdf() -> None:
    pdf = pdf_with_text(
        [
            "PUBLIC NOTICE",
            "Road works on the ring road will close two lanes at night.",
            "Residents may send questions to the ward office.",
        ]
    )
    pdf.docinfo["/Title"] = "Public notice on road works"
    pdf.save(HERE / "a23_public_notice.pdf")


def main() -> None:
    for build in (
        b06_header_table,
        b07_footer,
        b08_core_properties,
        b11_pdf_metadata,
        b23_custom_property,
        b24_body_table,
        b32_pdf_mark_before_title,
        b33_docx_comment,
        b34_docx_footnote,
        b35_docx_alt_text,
        a11_clean,
        a13_clean_pdf,
        a18_declassified_header,
        a22_clean_with_tables,
        a23_public_notice_pdf,
        a32_clean_notes,
    ):
        build()


if __name__ == "__main__":
    main()
