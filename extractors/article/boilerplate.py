"""The words of page furniture, in the languages of the news we read.

Prompts to read on, share, follow, subscribe, comment, donate or write in; labels of
related-story lists, credits, ads and tags; paywall notices; rights lines. cleanup.py
applies them to short lines only: a story paragraph may mention a newsletter, a prompt
is a line on its own. Each group says what it matches; none names a site.
"""

from __future__ import annotations

import re

# A line opening with one of these, whatever follows, is a prompt or a list's label.
_OPENINGS = (
    # English
    r"read (more|also|next)|see also|related (articles?|stories|coverage|content|news)"
    r"|more from|more on this|more stories|you (may|might) (also )?like|most (read|popular)"
    r"|sign up|subscribe (to|now|for)|get (the|our) (latest|daily)|follow (us|@)"
    r"|share (this|on|via)|click here|tap here|join (the|our) (conversation|commenting)"
    r"|leave a (comment|reply)|view comments|show comments|load comments|submit your"
    r"|if you (enjoyed|liked|like|enjoy|value)|next (article|post|story)"
    r"|previous (article|post|story)|story continues|article continues|got a (story|tip)"
    r"|have a (story|tip)|do you have a (story|tip)|we want to hear|tell us"
    r"|don'?t miss|also read|must read|editor'?s picks|explore further|updated (at|on)"
    r"|if you (buy|purchase|click) |additional reporting|with reporting|reporting by"
    r"|writing by|editing by|reading time|min read|to reach the (reporter|editor|author)"
    r"|nutrition (information|facts|values) (is|are) (an )?estimate"
    r"|all (photos|pictures|images) (by|from|courtesy)|(photos?|pictures?|images?) courtesy"
    r"|this (story|article|project|report|reporting|coverage) (was|is) (produced|made possible"
    r"|supported|funded|originally published|first published)"
    # German
    r"|lesen sie (auch|mehr|hier)|mehr (zum thema|dazu|aus|themen|lesen)|auch interessant"
    r"|weitere artikel|zum artikel|folgen sie|jetzt (abonnieren|lesen|anmelden|melden)"
    r"|alle rechte vorbehalten|vorschau auf|nächster artikel|vorheriger artikel"
    r"|fehler gefunden|ihre meinung ist uns wichtig|ähnliche artikel|verwandte artikel"
    r"|mit (agentur)?material (von|der)|mit agenturmaterial|lesezeit|alle (bilder|fotos) von"
    r"|dieser (artikel|beitrag|text) (ist|erschien|wurde) (zuerst|ursprünglich|erstmals)"
    # French, Spanish, Portuguese, Italian
    r"|lire (aussi|la suite|plus)|à lire (aussi|également)|voir aussi|suivez-nous"
    r"|abonnez-vous|tous droits réservés|article suivant|article précédent|il vous reste"
    r"|pour lire la suite|pour accéder|pour continuer à lire|temps de lecture"
    r"|tempo de leitura|tiempo de lectura"
    r"|lee (también|más)|leer más|te puede interesar|síguenos|suscríbete"
    r"|todos los derechos reservados|notas relacionadas|noticias relacionadas"
    r"|artículos relacionados|leia (também|mais)|veja também|assine|leggi anche|seguici"
    r"|iscriviti|abbonati|tutti i diritti riservati|articoli correlati"
    # Polish, Czech, Nordic, Dutch, Russian, Turkish, Vietnamese
    r"|czytaj (więcej|też|także)|zobacz (też|także)|zapraszamy"
    r"|čtěte (také|též)|les (også|mer)|läs (också|mer)|læs (også|mere)|lees ook"
    r"|читайте (также|еще)|подписывайтесь|devamını oku|ilginizi çekebilir|đọc thêm|xem thêm"
)
# Japanese, Korean, Chinese: no spaces between words, so no word boundary after them.
_CJK_OPENINGS = r"関連記事|おすすめ|有料会員|会員限定|관련 ?기사|相关阅读|推荐阅读"
# Labels: furniture when alone on the line or followed by a separator ("Photo: AFP").
_LABELS = (
    r"related|recommended|trending|newsletter|advertisement|sponsored|updated|published"
    r"|photos?|images?|pictures?|credits?|sources?|video|watch|listen|comments?|\d+ comments?"
    r"|tags|topics|categories|filed under|share|article content|more|image credit|photo credit"
    r"|featured image|titelbild|beitragsbild|headerbild|titelfoto|bildquelle|bildnachweis"
    r"|anzeige|werbung|teilen|fotos?|bild|quelle|aktualisiert|schlagwörter|themen"
    r"|publicité|partager|publicidad|compartir|fuente|fonte|compartilhe|pubblicità|condividi"
    r"|etiquetas|reklama|udostępnij|źródło|zdroj|sdílet|kilde|källa|фото|реклама|поделиться"
    r"|теги|paylaş|reklam|etiketler|写真|広告|シェア|사진|광고|공유|图片来源"
)
_SEPARATOR = r"\s*[:：|/»›>,\-–—]"
LINE_START = re.compile(
    rf"^[(\[–—-]?\s*(({_OPENINGS})(?!\w)|{_CJK_OPENINGS}|({_LABELS})({_SEPARATOR}|\s*$"
    rf"|(\s+\w+){{1,2}}\s*[:：]))",
    re.IGNORECASE,
)

# Anywhere in a short line: follow/subscribe/support/contact prompts and paywall notices.
_ANYWHERE = (
    r"follow [\w .'’-]{1,40} on (twitter|facebook|instagram|x|google news|linkedin|tiktok"
    r"|youtube|whatsapp|telegram|threads|bluesky)|sign up for (our|the) [\w ]{0,30}newsletters?"
    r"|contributed to this report|follow [\w.'’ ]{1,40} coverage"
    r"|subscribe to (our|the) [\w ]{0,30}newsletters?|in your inbox|thanks for (signing up"
    r"|subscribing)|your subscription|processing your|newsletter abonnieren"
    r"|(support|donate to) (us|our (work|journalism|reporting|newsroom))"
    r"|(unterstützen sie|unterstütze) (uns|unseren journalismus)|soutenez(-nous| notre)"
    r"|apóyanos|sostienici|wesprzyj nas|copy link|link copied|kopiere link"
    r"|subscribers only|for subscribers|réservée aux abonnés|nur für abonnenten"
    r"|sólo para suscriptores|solo para suscriptores|solo per abbonati|exclusivo para assinantes"
    r"|URL이 복사|コピーしました|कॉपी लिंक|affiliate (links?|commission)"
    r"|we want to hear from you|wir wollen von (dir|ihnen|euch) hören"
    r"|click here (for|to)|klicken sie hier|hier klicken|cliquez ici|haga clic aquí|clicca qui"
    r"|\[(\w+)[^\]]*\].*\[/\w+\]"  # a widget's shortcode the theme did not render
    r"|(hol dir|abonniere|abonnieren sie) (jetzt )?(meinen|unseren|den) [\w ]{0,20}newsletter"
    r"|(folge|folgt|folgen sie) (mir|uns) [\w ]{0,30}(auf|bei) (facebook|twitter|instagram|youtube"
    r"|tiktok)|(auf|bei) (facebook|twitter|instagram|youtube|tiktok)( und \w+)? folgen"
    r"|\b(on|via|auf) (unsplash|pexels|pixabay)\b"  # stock photos' credit
)
ANYWHERE = re.compile(_ANYWHERE, re.IGNORECASE)

# A rights line: furniture when the line is short and says little else.
RIGHTS = re.compile(
    r"©|\(c\) \d{4}|copyright|all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|무단 전재|版权所有|無断転載",
    re.IGNORECASE,
)

# Above the story: the label that discloses a paid post ("WERBUNG für …", "Anzeige").
DISCLOSURE = re.compile(
    r"^\W*((un)?bezahlte |paid )?(werbung|anzeige|advertorial|sponsored|advertisement"
    r"|publicité|publicidad|pubblicità|reklama)\b",
    re.IGNORECASE,
)
# A credit whose value is only a social handle ("Quote im Header: @someone").
HANDLE_CREDIT = re.compile(r"^[\w .'’-]{1,40}[:：]\s*@[\w.]+\s*$")
