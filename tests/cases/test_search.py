import unicodedata

from cases.models import Person
from cases.text import fold
from tests import factories as f


def test_folding_drops_diacritics_case_and_extra_spaces():
    assert fold("  Nguyễn   Văn\tA ") == "nguyen van a"
    assert fold("TRẦN THỊ HỒNG NHUNG") == "tran thi hong nhung"


def test_folding_turns_d_with_stroke_into_d():
    assert fold("Đỗ Đức Đạt") == "do duc dat"
    assert fold("đường") == "duong"


def test_folding_treats_composed_and_decomposed_input_alike():
    composed = "Nguyễn Thị Ánh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == "nguyen thi anh"


def test_search_without_diacritics_finds_a_name_written_with_them(world):
    a = f.person(ward=world.ward_a, full_name="Nguyễn Văn A")
    f.person(ward=world.ward_a, full_name="Nguyễn Văn Bình")
    assert list(Person.objects.search("nguyen van a")) == [a]


def test_search_with_diacritics_finds_the_same_person(world):
    a = f.person(ward=world.ward_a, full_name="Nguyễn Văn A")
    assert list(Person.objects.search("Nguyễn  Văn A")) == [a]
    assert list(Person.objects.search("NGUYEN")) == [a]


def test_d_and_d_with_stroke_find_each_other(world):
    duc = f.person(ward=world.ward_a, full_name="Đỗ Minh Đức")
    dung = f.person(ward=world.ward_a, full_name="Lê Văn Dũng")
    assert list(Person.objects.search("do minh duc")) == [duc]
    assert list(Person.objects.search("đũng")) == [dung]


def test_search_matches_every_word_in_any_order_and_the_alias(world):
    ty = f.person(ward=world.ward_a, full_name="Phạm Văn Tý", alias="Tý Còi")
    f.person(ward=world.ward_a, full_name="Phạm Văn Hải")
    assert list(Person.objects.search("coi pham")) == [ty]
    assert list(Person.objects.search("pham van ty hai")) == []


def test_an_empty_search_changes_nothing(world):
    f.person(ward=world.ward_a)
    f.person(ward=world.ward_a)
    assert Person.objects.search("   ").count() == 2


def test_the_register_list_costs_two_queries_whatever_its_length(world, django_assert_num_queries):
    for size in (1, 50):
        while Person.objects.count() < size:
            person = f.person(ward=world.ward_a)
            f.assignment(person=person, member=world.volunteer_member)
        with django_assert_num_queries(2):
            rows = [
                (p.ward.name, p.area, p.current_assignment.member.full_name)
                for p in Person.objects.for_list()
            ]
        assert len(rows) == size
