"""Blog posts the tests own: an Indonesian news story in the spirit of the founding document.

The founding document (../shared/seeds/) is a real Indonesian Blogger repost about NATO and
Russia meeting in Brussels, with Blogger's "No comments: / Post a Comment" glued to its end.
Unit tests use `NATO_POST`, written for this project, so they run without ../shared; only
tests/extractors/article/test_article.py reads the real document (located by
tests.support.corpus.require_founding_document), through `founding_post`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from newsflow.demo.site import Post

# What the entity, keyword, topic and clustering tests look for, all in one story: NATO,
# Jens Stoltenberg (the only person), Rusia often and Moldova once, Brussel, Moskow, Jenewa,
# Kiev, Ukraina, Georgia, "AS" for the United States, Kementerian Luar Negeri.
NATO_PARAGRAPHS = (
    "Wakil dari Rusia dan para duta besar NATO duduk di satu meja di markas aliansi di Brussel "
    "pada hari Rabu, dalam sidang Dewan NATO-Rusia pertama sejak lebih dari dua tahun. Sidang "
    "itu membahas usulan keamanan yang dikirim Kementerian Luar Negeri Rusia bulan lalu, dua "
    "hari setelah delegasi Rusia dan AS berunding di Jenewa.",
    "Sekretaris Jenderal NATO Jens Stoltenberg mengatakan kepada wartawan bahwa pembicaraan "
    "berlangsung terbuka dan serius, namun jarak antara kedua pihak masih lebar. Aliansi, "
    "katanya, siap mendengar kekhawatiran Moskow, tetapi tidak akan menutup pintu bagi negara "
    "yang ingin menjadi anggota.",
    "Di Jenewa dua hari sebelumnya, delegasi Rusia dan AS berbicara hampir delapan jam "
    "tentang masa depan perjanjian pengendalian senjata yang sudah berakhir. Kedua delegasi "
    "sepakat untuk terus berbicara, tetapi tidak ada terobosan yang diumumkan sesudahnya.",
    "Dalam dokumen yang dikirim ke markas aliansi, Kementerian Luar Negeri di Moskow meminta "
    "jaminan tertulis bahwa NATO tidak akan menerima anggota baru di sebelah timur, termasuk "
    "Ukraina dan Georgia, serta menarik pasukan dan senjata dari negara yang bergabung "
    "setelah tahun 1997.",
    "Stoltenberg menjawab bahwa setiap negara berhak memilih jalannya sendiri. Ia meminta "
    "Rusia mengurangi pasukan yang dikumpulkan di dekat perbatasan Ukraina dan menarik "
    "tentaranya dari Georgia dan Moldova, tempat pasukan Rusia berada tanpa persetujuan "
    "pemerintah setempat.",
    "Para diplomat yang hadir menyebut suasana sidang tegang tetapi sopan. Pihak Rusia "
    "menegaskan bahwa Moskow tidak berniat menyerang siapa pun, dan menilai kehadiran pasukan "
    "aliansi di Eropa timur sebagai ancaman langsung bagi keamanan Rusia.",
    "NATO menawarkan serangkaian pembicaraan lanjutan tentang pengendalian senjata, batas "
    "bagi rudal jarak menengah di Eropa, dan pemberitahuan latihan militer sebelum digelar. "
    "Menurut Stoltenberg, pihak Rusia belum menjawab tawaran itu dan meminta waktu untuk "
    "berkonsultasi dengan Moskow.",
    "Pejabat Ukraina di Kiev menyambut sikap aliansi, tetapi mengingatkan bahwa tidak boleh "
    "ada keputusan tentang Ukraina tanpa Ukraina. Rusia mencaplok Krimea pada tahun 2014 dan "
    "sejak itu mendukung kelompok separatis di wilayah timur negara tersebut.",
    "Pekan diplomasi ini ditutup dengan sidang Organisasi untuk Keamanan dan Kerja Sama di "
    "Eropa di Wina pada hari Kamis, yang juga dihadiri perwakilan Ukraina. Para pengamat "
    "menilai hasil ketiga pertemuan itu akan menentukan apakah ketegangan di perbatasan bisa "
    "diredakan lewat jalur diplomasi.",
    "Kantor perwakilan Rusia di markas NATO ditutup tahun lalu, setelah aliansi mencabut "
    "akreditasi delapan diplomat Rusia. Stoltenberg mengatakan kedua pihak sepakat bahwa "
    "saluran komunikasi perlu dibuka kembali, agar salah paham di lapangan tidak berubah "
    "menjadi krisis.",
)
NATO_TEXT = "\n".join(NATO_PARAGRAPHS)
# Blogger's comment widget as a copy-paste carries it: the last two lines of the text.
WIDGET_LINES = ("No comments:", "Post a Comment")
NATO_REPOST = NATO_TEXT + "\n" + "\n".join(WIDGET_LINES)

NATO_POST = Post(
    slug="rusia-dan-nato-bertemu-di-brussel",
    title="Rusia dan NATO Bertemu di Brussel",
    author="Admin Kabar Dunia",
    published=datetime(2022, 1, 13, 2, 15, tzinfo=UTC),
    paragraphs=NATO_PARAGRAPHS,
    labels=("NATO", "Rusia"),
)


def founding_post(path: Path) -> Post:
    """Returns the founding document as the same Blogger post, without its glued widget."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return replace(NATO_POST, paragraphs=tuple(x for x in lines if x and x not in WIDGET_LINES))
