"""Articles in six languages, written for the search, export and view tests.

The Indonesian story is in the style of the founding repost (NATO and Russia meeting in
Brussels), written here so the tests do not need ../shared. The German one says
"Hochwasser" only, never "Hochwassers", so finding it by the inflected form proves the
stemming.
"""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.demo.site import Post

INDONESIAN = Post(
    slug="stoltenberg-bertemu-delegasi-rusia",
    title="Stoltenberg Bertemu Delegasi Rusia di Brussel",
    author="Redaksi",
    published=datetime(2024, 3, 6, 8, 30, tzinfo=UTC),
    paragraphs=(
        "Sekretaris Jenderal NATO Jens Stoltenberg menerima delegasi Rusia di markas besar "
        "aliansi di Brussel pada hari Rabu. Pertemuan Dewan NATO-Rusia itu adalah yang "
        "pertama dalam dua tahun terakhir.",
        "Menurut Stoltenberg, para sekutu siap membahas pengendalian senjata dan "
        "transparansi latihan militer, tetapi tidak akan berkompromi tentang hak Ukraina "
        "untuk memilih jalannya sendiri.",
        "Wakil Menteri Luar Negeri Rusia mengatakan kepada wartawan bahwa pembicaraan di "
        "Brussel berlangsung terus terang namun belum menghasilkan terobosan.",
    ),
    labels=("NATO", "Eropa"),
    lang="id",
)
GERMAN = Post(
    slug="nach-dem-hochwasser",
    title="Nach dem Hochwasser: Aufräumen im Ahrtal",
    author="Lokalredaktion",
    published=datetime(2024, 3, 5, 17, 0, tzinfo=UTC),
    paragraphs=(
        "Drei Wochen nach dem Hochwasser stehen viele Häuser im Ahrtal noch leer. Die "
        "Schäden durch das Hochwasser werden auf mehrere Milliarden Euro geschätzt.",
        "Freiwillige aus ganz Deutschland helfen beim Aufräumen; Brücken und Straßen "
        "müssen neu gebaut werden, sagte die Bürgermeisterin am Dienstag.",
        "Die Landesregierung kündigte an, den Wiederaufbau mit einem Sonderfonds zu "
        "unterstützen und die Warnsysteme an der Ahr zu verbessern.",
    ),
    labels=("Wetter",),
    lang="de",
)
ARABIC = Post(
    slug="khitta-jadida-lilmiyah",
    title="الحكومة تعلن خطة جديدة لترشيد المياه",
    author="المحرر",
    published=datetime(2024, 2, 20, 10, 0, tzinfo=UTC),
    paragraphs=(
        "أعلنت الحكومة المصرية اليوم عن خطة جديدة لترشيد استهلاك المياه في القاهرة "
        "والإسكندرية خلال السنوات الخمس المقبلة.",
        "وقال وزير الري إن الخطة تشمل تحديث شبكات الري في الدلتا وبناء محطات جديدة "
        "لمعالجة المياه وإعادة استخدامها في الزراعة.",
        "ورحب المزارعون بالخطة لكنهم طالبوا بدعم أكبر لتكاليف الري الحديث.",
    ),
    labels=("اقتصاد",),
    lang="ar",
)
CHINESE = Post(
    slug="shanghai-dianyingjie",
    title="上海国际电影节开幕",
    author="文化部",
    published=datetime(2024, 1, 15, 12, 0, tzinfo=UTC),
    paragraphs=(
        "第二十五届上海国际电影节昨天在上海大剧院开幕，来自四十多个国家的电影人参加了开幕式。",
        "本届电影节共收到来自一百多个国家和地区的报名影片，评委会将在下周公布获奖名单。",
        "主办方表示，今年的展映活动将覆盖全市三十多家影院，观众可以在网上购票。",
    ),
    labels=("文化",),
    lang="zh",
)
FRENCH = Post(
    slug="elysee-maires",
    title="À l'Élysée, le président reçoit les maires",
    author="Rédaction",
    published=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
    paragraphs=(
        "Le président de la République a reçu mercredi à l'Élysée les maires des communes "
        "touchées par les inondations de l'hiver dernier.",
        "Les élus ont demandé une aide d'urgence et un calendrier précis pour la "
        "reconstruction des écoles et des routes départementales.",
        "Le gouvernement promet une réponse avant la fin du mois, selon l'entourage du président.",
    ),
    labels=("Politique",),
    lang="fr",
)
ENGLISH = Post(
    slug="city-council-cycling-lanes",
    title="City council approves new cycling lanes",
    author="Metro desk",
    published=datetime(2024, 3, 4, 15, 0, tzinfo=UTC),
    paragraphs=(
        "The city council voted on Monday to build twelve kilometres of protected cycling "
        "lanes along the river, after a year of consultation with residents.",
        "Shop owners on the main street worried about parking, but the mayor said the "
        "lanes would bring more customers, not fewer.",
        "Construction starts in the summer and should be finished before the schools "
        "reopen in September.",
    ),
    labels=("City", "Transport"),
    lang="en",
)

POSTS = (INDONESIAN, GERMAN, ARABIC, CHINESE, FRENCH, ENGLISH)
