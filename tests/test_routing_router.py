"""The router with the real embedding model: zero-shot, trained by the CLI, and model checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.routing.classifier import IncompatibleModelError, TrainedRouter
from assistant.routing.router import Router
from assistant.routing.service import pseudonymize_all
from assistant.routing.taxonomy import DEPARTMENTS_DIR, load_taxonomy
from assistant.settings import Settings
from evals.suites.routing import VI_CASES
from retrieval.embeddings import HashingEmbedder
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

# Requests written for these tests, not taken from the evaluation cases.
POSITIVES = [
    ("Mặt đường Láng có hố sâu, tối qua một người đi xe máy bị thương", "so-xay-dung", "urgent"),
    ("Xin hướng dẫn đăng ký khai sinh cho con thứ hai", "so-tu-phap", "normal"),
    ("Cơ sở nuôi lợn xả chất thải xuống ao làng, mùi hôi cả xóm", "so-nong-nghiep-moi-truong", "normal"),
    ("Phòng khám tư trên phố Chùa Bộc tiêm thuốc không rõ nguồn gốc cho bệnh nhân", "so-y-te", "normal"),
    ("Trường trung học thu tiền học thêm bắt buộc của học sinh", "so-giao-duc-dao-tao", "normal"),
    ("Quán hát karaoke mở loa công suất lớn sau 23 giờ", "so-van-hoa-the-thao", "normal"),
    ("Công ty chậm trả lương cho công nhân hai tháng", "so-noi-vu", "normal"),
    ("Tôi tố cáo cán bộ xã nhận tiền của dân để làm nhanh hồ sơ", "thanh-tra-thanh-pho", "normal"),
    ("Khu phố cháy lớn, có người mắc kẹt trên tầng ba", "other", "urgent"),
    ("Tôi bị mất trộm xe đạp điện, muốn trình báo công an", "other", "normal"),
    ("Thửa đất nhà tôi có bị ảnh hưởng bởi quy hoạch phân khu mới không?", "so-quy-hoach-kien-truc", "normal"),
    ("Công ty lữ hành bỏ rơi đoàn khách giữa chuyến tham quan", "so-du-lich", "normal"),
]
# Texts that say too little: the router must ask a person to check, or send them to "other".
NEGATIVES = [
    "xin chào",
    "Cho tôi hỏi",
    "asdf qwerty",
    "Tôi muốn hỏi một việc.",
]


@pytest.fixture(scope="module")
def zero_shot(real_embedder) -> Router:  # noqa: ANN001
    return Router(load_taxonomy(), real_embedder)


@pytest.mark.parametrize("text, department, urgency", POSITIVES)
def test_zero_shot_routes_request(zero_shot: Router, text: str, department: str, urgency: str):
    result = zero_shot.route(text)
    assert result.department == department, result.reasons
    assert result.urgency == urgency, result.reasons
    assert result.department_name == load_taxonomy().get(department).name
    assert len(result.alternatives) == 3
    assert result.alternatives[0]["department"] == department
    assert result.reasons


@pytest.mark.parametrize("text", NEGATIVES)
def test_vague_request_flagged(zero_shot: Router, text: str):
    result = zero_shot.route(text)
    assert result.needs_review or result.department == "other", result
    assert any(reason.startswith("needs review") for reason in result.reasons) or result.department == "other"


def test_reasons_keep_personal_data_out(zero_shot: Router, redactor):  # noqa: ANN001
    text = "Ông Nguyễn Văn Tùng, điện thoại 0912 345 678, báo đèn đường ngõ 7 hỏng"
    [pseudonymised] = pseudonymize_all(redactor, [text])
    result = zero_shot.route(pseudonymised)
    joined = " ".join(result.reasons)
    assert "Tùng" not in joined
    assert "0912" not in joined
    assert result.department == "so-xay-dung"


def test_two_departments_marked_complex(zero_shot: Router):
    text = "Xưởng sản xuất trong khu dân cư vừa xây dựng không phép vừa xả nước thải ra mương"
    result = zero_shot.route(text)
    assert result.urgency == "complex", result.reasons
    assert {a["department"] for a in result.alternatives[:2]} == {"so-xay-dung", "so-nong-nghiep-moi-truong"}


@pytest.fixture(scope="module")
def trained_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a router trained by the CLI, in its own process, on the Vietnamese cases."""
    data_dir = tmp_path_factory.mktemp("router-data")
    done = run_cli("-m", "assistant", "train-router", str(VI_CASES), "--data-dir", str(data_dir), timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["examples"] == 137
    assert summary["urgency_model"] is True
    return data_dir


def test_cli_model_used_by_next_process(trained_data_dir: Path, real_embedder):  # noqa: ANN001
    files = sorted(p.name for p in (trained_data_dir / "router").iterdir())
    assert files == ["model.json", "model.npz"]
    metadata = json.loads((trained_data_dir / "router" / "model.json").read_text())
    assert metadata["embedding_model"] == real_embedder.model_id
    assert metadata["taxonomy"] == "hanoi"
    router = Router.from_settings(Settings(data_dir=trained_data_dir), real_embedder)
    assert router.mode == "trained"
    for text, department, _ in POSITIVES[:6]:
        assert router.route(text).department == department, text


def test_model_for_other_taxonomy_rejected(trained_data_dir: Path, real_embedder):  # noqa: ANN001
    model = TrainedRouter.load(trained_data_dir)
    assert model is not None
    with pytest.raises(IncompatibleModelError, match="trained for taxonomy 'hanoi'"):
        Router(load_taxonomy(DEPARTMENTS_DIR / "boston.toml"), real_embedder, model)
    settings = Settings(data_dir=trained_data_dir, routing_taxonomy=DEPARTMENTS_DIR / "boston.toml")
    with pytest.raises(IncompatibleModelError, match="retrain it"):
        Router.from_settings(settings, real_embedder)


def test_model_for_other_embedder_rejected(trained_data_dir: Path):
    model = TrainedRouter.load(trained_data_dir)
    assert model is not None
    with pytest.raises(IncompatibleModelError, match="embedding model is hashing:256"):
        model.check_compatible(load_taxonomy(), HashingEmbedder())


def test_missing_model_means_zero_shot(tmp_path: Path, real_embedder):  # noqa: ANN001
    router = Router.from_settings(Settings(data_dir=tmp_path), real_embedder)
    assert router.mode == "zero-shot"
