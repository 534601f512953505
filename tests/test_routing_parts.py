"""Routing parts that need no model: taxonomy files, signals, the keyword baseline, CSV checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigurationError, InputError
from assistant.routing.classifier import KeywordClassifier
from assistant.routing.signals import count_asks, urgency_signals
from assistant.routing.taxonomy import DEPARTMENTS_DIR, load_taxonomy
from assistant.routing.training import read_labelled_csv
from tests.conftest import run_cli

HANOI_IDS = {
    "so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-cong-thuong", "so-nong-nghiep-moi-truong", "so-xay-dung",
    "so-khoa-hoc-cong-nghe", "so-van-hoa-the-thao", "so-giao-duc-dao-tao", "so-y-te", "thanh-tra-thanh-pho",
    "van-phong-ubnd", "so-dan-toc-ton-giao", "so-du-lich", "so-quy-hoach-kien-truc", "other",
}


def test_hanoi_taxonomy_has_fifteen_bodies_and_other():
    taxonomy = load_taxonomy()
    assert set(taxonomy.ids) == HANOI_IDS
    assert taxonomy.fallback == "other"
    for department in taxonomy.departments:
        assert department.name_vi and department.name_en, department.id
        assert department.description_vi and department.description_en, department.id
        assert len(department.keywords) >= 5, department.id


def test_hanoi_taxonomy_states_2025_transfers():
    taxonomy = load_taxonomy()
    assert "giao thông" in taxonomy.get("so-xay-dung").description_vi
    assert "kế hoạch và đầu tư" in taxonomy.get("so-tai-chinh").description_vi
    assert "thông tin và truyền thông" in taxonomy.get("so-khoa-hoc-cong-nghe").description_vi
    assert "ngoại vụ" in taxonomy.get("van-phong-ubnd").description_vi
    assert "bảo hiểm xã hội" in taxonomy.get("so-noi-vu").description_vi
    assert "giấy phép lái xe" in taxonomy.get("other").description_vi


def test_boston_taxonomy_resolves_labels():
    taxonomy = load_taxonomy(DEPARTMENTS_DIR / "boston.toml")
    assert taxonomy.resolve_alias("Inspectional Services") == "inspectional-services"
    assert taxonomy.resolve_alias("PWDx") == "public-works"
    assert taxonomy.resolve_alias("Mayor's 24 Hour Hotline") == "hotline"
    assert taxonomy.resolve_alias("no such department") is None


def test_fingerprint_changes_with_content(tmp_path: Path):
    original = (DEPARTMENTS_DIR / "hanoi.toml").read_text(encoding="utf-8")
    edited = tmp_path / "hanoi-edited.toml"
    edited.write_text(original.replace("Quản lý tổ chức bộ máy", "Quản lý bộ máy"), encoding="utf-8")
    assert load_taxonomy().fingerprint() == load_taxonomy().fingerprint()
    assert load_taxonomy(edited).fingerprint() != load_taxonomy().fingerprint()


BAD_TAXONOMIES = [
    ("missing fallback", 'name = "x"\nfallback = "b"\n', "not one of its departments"),
    ("bad id", 'name = "x"\nfallback = "a"\n', "use lower-case letters"),
    ("unknown field", 'name = "x"\nfallback = "a"\n', "unknown fields"),
    ("duplicate id", 'name = "x"\nfallback = "a"\n', "repeats the department ids"),
]


def _department(department_id: str, extra: str = "") -> str:
    return (f'[[department]]\nid = "{department_id}"\nname_en = "N"\ndescription_en = "D."\n'
            f'keywords = ["k"]\n{extra}')


@pytest.mark.parametrize("case, header, message", BAD_TAXONOMIES, ids=[c[0] for c in BAD_TAXONOMIES])
def test_invalid_taxonomy_rejected(tmp_path: Path, case: str, header: str, message: str):
    bodies = {
        "missing fallback": _department("a") + _department("c"),
        "bad id": _department("A B") + _department("a"),
        "unknown field": _department("a", 'colour = "red"\n') + _department("b"),
        "duplicate id": _department("a") + _department("a"),
    }
    path = tmp_path / "taxonomy.toml"
    path.write_text(header + bodies[case], encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_taxonomy(path)


def test_missing_taxonomy_file_named(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_taxonomy(tmp_path / "absent.toml")


URGENT = [
    ("Nhà bên cạnh đang cháy, khói bốc lên", "fire"),
    ("Phố Nguyễn Khuyến ngập sâu sau mưa", "flooding"),
    ("Tường rào trường học bị sập một đoạn", "collapse"),
    ("Dây điện rơi xuống đường, trẻ con suýt bị điện giật", "electrical danger"),
    ("Cả khu tập thể mất điện từ sáng", "power outage"),
    ("Khu phố mất nước ba ngày nay", "water outage"),
    ("Có mùi gas nồng nặc ở cầu thang", "gas leak"),
    ("Hồ sơ phải nộp trước ngày 15 tháng này", "deadline"),
    ("Hạn chót đăng ký là thứ sáu", "deadline"),
    ("Gas leak in the basement of our building", "gas leak"),
    ("Street flooding after the storm", "flooding"),
    ("Power outage on the whole block", "power outage"),
    ("The old warehouse is on fire", "fire"),
]
NOT_URGENT = [
    "Xin hỏi thủ tục đăng ký kết hôn",
    "Tôi muốn chạy bộ quanh hồ Tây vào buổi sáng",  # "chạy" (run) is not "cháy" (fire)
    "Giá vé tăng gấp đôi so với năm ngoái",  # "gấp đôi" is double, not urgent
    "Sắp tới phường có tổ chức lễ hội không?",  # "sắp" (soon) is not "sập" (collapse)
    "Please send me the form for a new recycling cart",
]


@pytest.mark.parametrize("text, signal", URGENT)
def test_urgent_signal_found(text: str, signal: str):
    assert signal in urgency_signals(text)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_no_urgent_signal(text: str):
    assert urgency_signals(text) == []


def test_asks_counted():
    assert count_asks("Đề nghị sửa đèn. Yêu cầu dọn rác. Xin hỏi khi nào xong?") == 4
    assert count_asks("Đèn đường hỏng.") == 0


KEYWORD_CASES = [
    ("Đường có nhiều ổ gà, đèn đường hỏng", "so-xay-dung"),
    ("Tôi cần phiếu lý lịch tư pháp", "so-tu-phap"),
    ("Quán karaoke hát đến nửa đêm", "so-van-hoa-the-thao"),
    ("Xe máy bị trộm, cần báo công an", "other"),
    ("Một câu không có từ khóa nào", "other"),
]


@pytest.mark.parametrize("text, expected", KEYWORD_CASES)
def test_keyword_baseline(text: str, expected: str):
    assert KeywordClassifier(load_taxonomy()).predict([text]) == [expected]


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "requests.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_csv_read_with_urgency(tmp_path: Path):
    content = "text,department,urgency,note\nĐèn đường hỏng,so-xay-dung,,x\nCháy chợ,other,urgent,\n"
    path = _write(tmp_path, content)
    requests = read_labelled_csv(path, load_taxonomy())
    assert requests.texts == ["Đèn đường hỏng", "Cháy chợ"]
    assert requests.departments == ["so-xay-dung", "other"]
    assert requests.urgency == ["normal", "urgent"]


BAD_CSVS = [
    ("missing column", "text,dept\nĐèn hỏng,so-xay-dung\n", "lacks the column"),
    ("unknown department", "text,department\nĐèn hỏng,so-xay-dung\nKhác,so-giao-thong\n",
     r"line 3: unknown department 'so-giao-thong'.*so-noi-vu"),
    ("empty file", "text,department\n", "has no labelled requests"),
    ("no header", "", "lacks the column"),
    ("empty text", "text,department\n ,so-y-te\n", "line 2: the text is empty"),
    ("bad urgency", "text,department,urgency\nCháy,other,critical\n", "unknown urgency 'critical'"),
]


@pytest.mark.parametrize("case, content, message", BAD_CSVS, ids=[c[0] for c in BAD_CSVS])
def test_bad_csv_rejected(tmp_path: Path, case: str, content: str, message: str):
    with pytest.raises(InputError, match=message):
        read_labelled_csv(_write(tmp_path, content), load_taxonomy())


@pytest.mark.parametrize("case, content, message", BAD_CSVS[:3], ids=[c[0] for c in BAD_CSVS[:3]])
def test_train_router_cli_rejects_bad_csv(tmp_path: Path, case: str, content: str, message: str):
    done = run_cli("-m", "assistant", "train-router", str(_write(tmp_path, content)),
                   "--data-dir", str(tmp_path / "data"), timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("error: "), done.stderr[-2000:]
    assert message.split(".*")[0].replace("\\", "") in done.stderr
    assert not (tmp_path / "data" / "router").exists()
