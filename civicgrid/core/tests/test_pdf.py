"""The shared PDF builder: Chinese text survives into the file, tables and charts render."""

from civicgrid.core.pdf import Document, pdf_response, text_of


def test_a_document_carries_its_chinese_text_tables_and_chart():
    doc = Document("调解协议书", subtitle="2026-0001")
    doc.heading("当事人").table([["身份", "姓名"], ["申请人", "张**"]])
    doc.fields([("事实", "邻里漏水 <纠纷> & 赔偿")]).bar_chart(["一月", "二月"], [3, 5])
    doc.signatures(["申请人", "调解员"])
    content = doc.render()
    assert content.startswith(b"%PDF")
    text = text_of(content)
    for words in ("调解协议书", "2026-0001", "申请人", "张**", "邻里漏水 <纠纷> & 赔偿", "调解员"):
        assert words in text


def test_the_response_is_a_private_pdf():
    response = pdf_response(Document("通知").render(), "notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="notice.pdf"' in response["Content-Disposition"]
