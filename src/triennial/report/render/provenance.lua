-- Number-level provenance: each number of the prose is a span `.prov` holding the number and
-- its pop-up `.prov-tip` (source, locator and quote, or the results table and row).
-- HTML keeps both (report.css shows the pop-up on hover and focus); every other output keeps
-- the number alone, as plain text.
if FORMAT:match("html") then
  return {}
end

function Span(el)
  if el.classes:includes("prov-tip") then
    return {}
  end
  if el.classes:includes("prov") then
    return el.content
  end
end
