"""Tables of positive and negative cases for each Vietnamese recognizer, run through the Redactor."""

from __future__ import annotations

import pytest

from guardrails.redaction.recognizers.cccd import PROVINCE_CODES

# These tests load the spaCy English model through the shared Redactor.
pytestmark = pytest.mark.slow


def found(redactor, text: str) -> list[tuple[str, str]]:
    return [(entity.type, text[entity.start : entity.end]) for entity in redactor.analyze(text, "vi")]


def positive_params(cases: list[tuple[str, str, str]]) -> list:
    return [pytest.param(text, value, id=name) for name, text, value in cases]


def negative_params(cases: list[tuple[str, str]]) -> list:
    return [pytest.param(text, id=name) for name, text in cases]


def assert_found(redactor, entity_type: str, text: str, value: str) -> None:
    assert (entity_type, value) in found(redactor, text)


def assert_type_absent(redactor, entity_type: str, text: str) -> None:
    assert [value for kind, value in found(redactor, text) if kind == entity_type] == []


# --- CCCD ----------------------------------------------------------------------

CCCD_POSITIVE = [
    ("plain after label", "Số CCCD: 001085012345", "001085012345"),
    ("no context", "Hồ sơ kèm 031192004578 đã đủ", "031192004578"),
    ("born 2000s female", "căn cước 001301005566", "001301005566"),
    ("groups of three", "CCCD 001 085 012 346", "001 085 012 346"),
    ("dotted groups", "CCCD 001.085.012.347", "001.085.012.347"),
    ("birth abroad with context", "số định danh cá nhân 840085012345", "840085012345"),
    ("end of sentence", "Căn cước của tôi là 079203001234.", "079203001234"),
]
CCCD_NEGATIVE = [
    ("unknown province without context", "Mã hồ sơ 999085012345 đã lưu"),
    ("impossible century digit", "CCCD 001585012345"),
    ("future birth year", "CCCD 001399012345"),
    ("thirteen digits", "CCCD 0010850123456"),
    ("inside reference", "Số 001085012345/QĐ-UBND"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(CCCD_POSITIVE))
def test_cccd_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "VN_CCCD", text, value)


@pytest.mark.parametrize("text", negative_params(CCCD_NEGATIVE))
def test_cccd_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "VN_CCCD", text)


def test_cccd_province_codes() -> None:
    assert len(PROVINCE_CODES) == 63
    assert {"001", "031", "048", "079"} <= PROVINCE_CODES


# --- CMND ----------------------------------------------------------------------

CMND_POSITIVE = [
    ("after CMND", "CMND số 012345678", "012345678"),
    ("after full name", "chứng minh nhân dân: 113456789", "113456789"),
    ("after CMTND", "CMTND 073456789 cấp tại Hà Giang", "073456789"),
]
CMND_NEGATIVE = [
    ("no context", "Mã hồ sơ 012345678 đã được tiếp nhận"),
    ("ten digits", "CMND 0123456789"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(CMND_POSITIVE))
def test_cmnd_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "VN_CMND", text, value)


@pytest.mark.parametrize("text", negative_params(CMND_NEGATIVE))
def test_cmnd_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "VN_CMND", text)


# --- phone numbers ---------------------------------------------------------------

PHONE_POSITIVE = [
    ("spaced mobile", "Gọi 0912 345 678 nhé", "0912 345 678"),
    ("dotted mobile", "Gọi 0912.345.678 nhé", "0912.345.678"),
    ("dashed mobile", "Gọi 0912-345-678 nhé", "0912-345-678"),
    ("plain mobile", "Gọi 0912345678 nhé", "0912345678"),
    ("international spaced", "Gọi +84 912 345 678 nhé", "+84 912 345 678"),
    ("international bracketed", "Gọi (+84) 912345678 nhé", "(+84) 912345678"),
    ("international without plus", "Gọi 84912345678 nhé", "84912345678"),
    ("hanoi landline", "Gọi 024 3825 1234 nhé", "024 3825 1234"),
    ("hanoi landline dotted", "Gọi 024.3825.6789 nhé", "024.3825.6789"),
    ("landline bracketed area", "Gọi (024) 3825 1234 nhé", "(024) 3825 1234"),
    ("viettel 03x", "SĐT 0388 123 456", "0388 123 456"),
    ("pairs of digits", "SĐT 09 12 34 56 78", "09 12 34 56 78"),
    ("after colon without space", "SĐT:0707234567", "0707234567"),
]
PHONE_NEGATIVE = [
    ("hotline 1022", "Gọi đường dây nóng 1022 của thành phố"),
    ("police 113", "Báo công an qua số 113"),
    ("shared-cost 1900", "Tổng đài 1900 1234 hỗ trợ"),
    ("toll-free 1800", "Số miễn phí 1800 599 920"),
    ("part of a uuid", "Mã 550e8400-e29b-41d4-a716-446655440000"),
    ("budget figure", "Kinh phí 12.500.000.000 đồng"),
    ("decision number", "Số: 1234/QĐ-UBND"),
    ("date", "Ngày 12/03/2024"),
    ("citizen id", "CCCD 001085012345"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(PHONE_POSITIVE))
def test_phone_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "PHONE_NUMBER", text, value)


@pytest.mark.parametrize("text", negative_params(PHONE_NEGATIVE))
def test_phone_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "PHONE_NUMBER", text)


# --- tax code ----------------------------------------------------------------------

TAX_POSITIVE = [
    ("after MST", "MST 0101245486", "0101245486"),
    ("after tax code words", "mã số thuế: 0100109106", "0100109106"),
    ("branch form", "Chi nhánh 0101245486-001 nộp tờ khai", "0101245486-001"),
    ("no context", "Nhà thầu (0148757497) trúng thầu", "0148757497"),
    ("wrong check digit after MST", "MST 0100109107", "0100109107"),
    ("wrong check digit after tax code words", "mã số thuế 0101234567", "0101234567"),
    ("branch with wrong check digit", "MST 0100109107-001", "0100109107-001"),
]
TAX_NEGATIVE = [
    ("wrong check digit without context", "Nhà thầu (0100109107) trúng thầu"),
    ("nine digits", "MST 010010910"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(TAX_POSITIVE))
def test_tax_code_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "VN_TAX_CODE", text, value)


@pytest.mark.parametrize("text", negative_params(TAX_NEGATIVE))
def test_tax_code_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "VN_TAX_CODE", text)


def test_tax_code_scores_higher_with_context(redactor) -> None:
    with_context = redactor.analyze("MST 0148757497", "vi")[0]
    without_context = redactor.analyze("Nhà thầu 0148757497", "vi")[0]
    assert with_context.score > without_context.score


def test_phone_wins_over_tax_code(redactor) -> None:
    # 0912345678 also has a valid tax-code check digit only by chance; either way it is a phone.
    assert found(redactor, "Gọi 0912345678") == [("PHONE_NUMBER", "0912345678")]


# --- social and health insurance ---------------------------------------------------

INSURANCE_POSITIVE = [
    ("social insurance label", "Mã số BHXH: 0123456789", "VN_SOCIAL_INSURANCE", "0123456789"),
    ("social insurance words", "sổ bảo hiểm xã hội số 0198765432", "VN_SOCIAL_INSURANCE", "0198765432"),
    ("new health card number", "mã số BHYT 0123456785", "VN_SOCIAL_INSURANCE", "0123456785"),
    ("health card code", "Thẻ BHYT DN4010123456789 còn hạn", "VN_HEALTH_INSURANCE", "DN4010123456789"),
    ("health card code no context", "Mã TE1010123456789 đã cấp", "VN_HEALTH_INSURANCE", "TE1010123456789"),
]
INSURANCE_NEGATIVE = [
    ("ten digits without context", "Mã hồ sơ 0123456780 đã lưu"),
    ("health code too short", "Mã DN40101234567 đã cấp"),
]


@pytest.mark.parametrize(
    ("text", "entity_type", "value"),
    [pytest.param(text, kind, value, id=name) for name, text, kind, value in INSURANCE_POSITIVE],
)
def test_insurance_found(redactor, text: str, entity_type: str, value: str) -> None:
    assert_found(redactor, entity_type, text, value)


@pytest.mark.parametrize("text", negative_params(INSURANCE_NEGATIVE))
def test_insurance_not_found(redactor, text: str) -> None:
    assert found(redactor, text) == []


# --- bank account ------------------------------------------------------------------

BANK_POSITIVE = [
    ("after STK", "STK 0011004123456 tại Vietcombank", "0011004123456"),
    ("after account number words", "số tài khoản: 12010000123456", "12010000123456"),
    ("grouped digits", "STK 1903 4567 8901 23 Techcombank", "1903 4567 8901 23"),
    ("after bank name", "Agribank 1500205123456", "1500205123456"),
]
BANK_NEGATIVE = [
    ("amount after account word", "Chuyển khoản 15000000 đồng cho dự án"),
    ("digits without context", "Mã giao dịch 0011004123456"),
    ("amount with dots", "số tài khoản nhận 12.500.000 đồng"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(BANK_POSITIVE))
def test_bank_account_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "VN_BANK_ACCOUNT", text, value)


@pytest.mark.parametrize("text", negative_params(BANK_NEGATIVE))
def test_bank_account_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "VN_BANK_ACCOUNT", text)


# --- vehicle plates ----------------------------------------------------------------

PLATE_POSITIVE = [
    ("car dotted", "Xe 30A-123.45 đỗ sai", "30A-123.45"),
    ("motorbike", "Xe máy 29H1-234.56 vượt đèn đỏ", "29H1-234.56"),
    ("motorbike spaced", "Xe máy 29-B1 123.45 vượt đèn đỏ", "29-B1 123.45"),
    ("car two letters", "Xe 51LD-123.45", "51LD-123.45"),
    ("old five digits", "Xe 30E-12345 bị giữ", "30E-12345"),
]
PLATE_NEGATIVE = [
    ("highway name", "Quốc lộ QL1A được mở rộng"),
    ("building code", "Tòa CT2 khu đô thị"),
    ("article", "Điều 32 khoản 2"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(PLATE_POSITIVE))
def test_license_plate_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "VN_LICENSE_PLATE", text, value)


@pytest.mark.parametrize("text", negative_params(PLATE_NEGATIVE))
def test_license_plate_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "VN_LICENSE_PLATE", text)


# --- date of birth -------------------------------------------------------------------

BIRTH_POSITIVE = [
    ("born on with slashes", "sinh ngày 05/03/1985 tại Hà Nội", "05/03/1985"),
    ("birth date label", "Ngày sinh: 21-11-1958", "21-11-1958"),
    ("dotted", "sinh ngày 30.06.1975", "30.06.1975"),
    ("vietnamese words", "sinh ngày 7 tháng 8 năm 1969", "7 tháng 8 năm 1969"),
    ("vietnamese with ngay", "ngày sinh của cháu là ngày 12 tháng 6 năm 2018", "ngày 12 tháng 6 năm 2018"),
    ("year only", "ông Dương Văn Toàn, sinh năm 1978", "1978"),
    ("english label", "DOB: 14/07/1999", "14/07/1999"),
]
BIRTH_NEGATIVE = [
    ("issue date", "Cấp ngày 10/10/2021 tại Cục Cảnh sát"),
    ("deadline", "Hạn nộp hồ sơ ngày 12/03/2024"),
    ("activity not birth", "Sinh hoạt chi bộ ngày 05/03/2024"),
    ("year in text", "Kế hoạch năm 2024 của phường"),
    ("impossible month", "sinh ngày 05/13/1985"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(BIRTH_POSITIVE))
def test_date_of_birth_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "DATE_OF_BIRTH", text, value)


@pytest.mark.parametrize("text", negative_params(BIRTH_NEGATIVE))
def test_date_of_birth_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "DATE_OF_BIRTH", text)


# --- addresses -------------------------------------------------------------------------

ADDRESS_POSITIVE = [
    (
        "full hanoi address",
        "Nhà ở số 12, ngõ 34, phố Hàng Bạc, phường Hàng Đào, quận Hoàn Kiếm, Hà Nội.",
        "số 12, ngõ 34, phố Hàng Bạc, phường Hàng Đào, quận Hoàn Kiếm, Hà Nội",
    ),
    ("lane and street", "ở ngõ 5 phố Tây Sơn, quận Đống Đa", "ngõ 5 phố Tây Sơn, quận Đống Đa"),
    (
        "slash house number",
        "Nhà 12/34 đường Láng, phường Láng Thượng",
        "12/34 đường Láng, phường Láng Thượng",
    ),
    ("after residence phrase", "trú tại tổ 7, phường Phúc Xá, quận Ba Đình", "tổ 7, phường Phúc Xá, quận Ba Đình"),
    (
        "abbreviations after label",
        "Địa chỉ: 45 Láng Hạ, P. Láng Hạ, Q. Đống Đa, TP. Hà Nội",
        "45 Láng Hạ, P. Láng Hạ, Q. Đống Đa, TP. Hà Nội",
    ),
    (
        "capitals",
        "SỐ 5, NGÕ 10, PHỐ HUẾ, QUẬN HAI BÀ TRƯNG",
        "SỐ 5, NGÕ 10, PHỐ HUẾ, QUẬN HAI BÀ TRƯNG",
    ),
    (
        "apartment",
        "giao đến căn hộ 1205, tòa CT2, phường Mễ Trì",
        "căn hộ 1205, tòa CT2, phường Mễ Trì",
    ),
]
ADDRESS_NEGATIVE = [
    ("ward alone", "UBND phường Hàng Đào thông báo lịch tiếp dân"),
    ("district alone", "Các trường học trên địa bàn quận Hoàn Kiếm"),
    ("document number then capital", "văn bản số 15 Quy định về phí"),
    ("decision number", "Quyết định số 1234 ngày 5/3/2024"),
    ("meeting room", "Họp tại phòng 301, tầng 3"),
    ("street alone", "Tuyến phố Hàng Bạc cấm xe từ 19 giờ"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(ADDRESS_POSITIVE))
def test_address_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "ADDRESS", text, value)


@pytest.mark.parametrize("text", negative_params(ADDRESS_NEGATIVE))
def test_address_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "ADDRESS", text)


def test_address_stops_before_phone(redactor) -> None:
    text = "SỐ 5, NGÕ 10, PHỐ HUẾ, SĐT 0914 222 333"
    assert found(redactor, text) == [("ADDRESS", "SỐ 5, NGÕ 10, PHỐ HUẾ"), ("PHONE_NUMBER", "0914 222 333")]


# --- person names ------------------------------------------------------------------------

PERSON_POSITIVE = [
    ("title ong", "Ông Nguyễn Văn Hải đề nghị", "Nguyễn Văn Hải"),
    ("title ba lower case", "bà Trần Thị Thu Hà liên hệ", "Trần Thị Thu Hà"),
    ("given name only", "chị Mai đến nhận", "Mai"),
    ("title dong chi", "Đồng chí Đặng Quốc Bảo phụ trách", "Đặng Quốc Bảo"),
    ("title abbreviated d/c", "đ/c Bùi Thanh Hương tiếp nhận", "Bùi Thanh Hương"),
    ("initials", "bà N.T.H. (52 tuổi) bị ngã", "N.T.H."),
    ("initials after la", "Nạn nhân là N.V.A, 17 tuổi", "N.V.A"),
    ("form label capitals", "HỌ VÀ TÊN: NGUYỄN VĂN AN    GIỚI TÍNH: NAM", "NGUYỄN VĂN AN"),
    ("form label title case", "Họ tên: Cao Văn Lâm; Số CMND: 113456789", "Cao Văn Lâm"),
    ("one-letter given name", "HỌ VÀ TÊN: TRẦN VĂN A", "TRẦN VĂN A"),
    ("family name first", "Cán bộ Nguyễn Hữu Phước ghi nhận", "Nguyễn Hữu Phước"),
    ("capitals without context", "Người nhận: PHAN THỊ THÚY, Hà Nội", "PHAN THỊ THÚY"),
    ("lower case after title", "ông nguyễn văn bình gửi đơn", "nguyễn văn bình"),
    ("lower case after em la", "em là hoàng văn nam ạ", "hoàng văn nam"),
    ("lower case with văn", "hôm qua nguyễn văn an đã nộp", "nguyễn văn an"),
    ("signature", "Trân trọng, Vũ Hoàng Long", "Vũ Hoàng Long"),
    ("doctor", "bác sĩ Lê Thị Hạnh khám bệnh", "Lê Thị Hạnh"),
]
PERSON_NEGATIVE = [
    ("street named after hero", "Phân luồng phố Trần Hưng Đạo"),
    ("city name", "Thành phố Hồ Chí Minh và Hà Nội"),
    ("ideology", "tư tưởng Hồ Chí Minh"),
    ("school", "Trường THPT Chu Văn An khai giảng"),
    ("dossier heading", "Hồ Sơ Đăng Ký Kinh Doanh"),
    ("reason", "Lý do chậm trễ"),
    ("province starting ba", "tỉnh Bà Rịa - Vũng Tàu"),
    ("uncle ho", "Học tập theo gương Bác Hồ"),
    ("district", "quận Hoàng Mai"),
    ("english language", "Lớp tiếng Anh buổi tối"),
    ("education department", "Sở Giáo dục và Đào tạo"),
    ("pupils", "Các em học sinh nghỉ học"),
    ("office words after title", "Đồng chí Chủ tịch UBND phường chủ trì"),
    ("two-syllable place", "Tỉnh Thái Bình và Cao Bằng"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(PERSON_POSITIVE))
def test_person_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "PERSON", text, value)


@pytest.mark.parametrize("text", negative_params(PERSON_NEGATIVE))
def test_person_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "PERSON", text)


# --- e-mail -------------------------------------------------------------------------------

EMAIL_POSITIVE = [
    ("gov domain", "Gửi tran.b@hanoi.gov.vn", "tran.b@hanoi.gov.vn"),
    ("gmail", "Hộp thư nguyenvana.1990@gmail.com", "nguyenvana.1990@gmail.com"),
]
EMAIL_NEGATIVE = [
    ("unknown suffix", "Gửi tran@may.chu"),
    ("no domain", "Gửi tran@"),
]


@pytest.mark.parametrize(("text", "value"), positive_params(EMAIL_POSITIVE))
def test_email_found(redactor, text: str, value: str) -> None:
    assert_found(redactor, "EMAIL_ADDRESS", text, value)


@pytest.mark.parametrize("text", negative_params(EMAIL_NEGATIVE))
def test_email_not_found(redactor, text: str) -> None:
    assert_type_absent(redactor, "EMAIL_ADDRESS", text)
