/* Silverplatter page views: first party, consent first, honours Do-Not-Track and GPC. */
(function (w, d, n) {
  var END = "__SP_URL__/capture/t", me = d.currentScript, queued = (w.silverplatter || {}).q || [];
  var ok = !!me && me.getAttribute("data-consent") == "granted", sent = 0;
  var off = n.doNotTrack == "1" || w.doNotTrack == "1" || n.globalPrivacyControl === true;
  var TAGS = /[?&](utm_|gclid=|fbclid=|msclkid=|li_fat_id=|ttclid=|sp_c=)/i;

  function rnd() {
    var a = new Uint8Array(16), s = "", i;
    w.crypto.getRandomValues(a);
    for (i = 0; i < 16; i++) s += (a[i] < 16 ? "0" : "") + a[i].toString(16);
    return s;
  }
  function cookie(v, age) {
    d.cookie = "sp_vid=" + v + ";path=/;max-age=" + age + ";SameSite=Lax" +
      (location.protocol == "https:" ? ";Secure" : "");
  }
  function visitor() {
    var m = d.cookie.match(/(?:^|;\s*)sp_vid=([\w-]{8,64})/), v = m ? m[1] : rnd();
    cookie(v, 31536000);
    return v;
  }
  function post(body) {
    try { if (n.sendBeacon && n.sendBeacon(END, body)) return; } catch (e) {}
    try { fetch(END, { method: "POST", body: body, keepalive: true, credentials: "omit", mode: "no-cors" }); } catch (e) {}
  }
  function host(u) {
    try { return new URL(u).host; } catch (e) { return ""; }
  }
  function page() {
    if (off || !ok) return;
    var first = !sent; // later calls are a single-page app's route changes
    sent = 1;
    var u = new URL(location.href), p = u.searchParams, token = p.get("sp_c"), ref = d.referrer;
    var land = null, view;
    if (token) {
      p.delete("sp_c");
      try { history.replaceState(history.state, "", u.href); } catch (e) {}
      p.set("sp_c", "1");
    }
    try { land = JSON.parse(w.sessionStorage.getItem("sp_land")); } catch (e) {}
    view = {
      visitor_id: visitor(), id: rnd(), ts: Date.now(), url: u.href.slice(0, 2048),
      title: d.title.slice(0, 300), referrer: ref.slice(0, 2048)
    };
    if (token) view.token = token;
    if (!land || (first && (TAGS.test(u.search) || (ref && host(ref) != u.host)))) {
      try { w.sessionStorage.setItem("sp_land", JSON.stringify({ url: view.url, referrer: view.referrer })); } catch (e) {}
    } else view.landing = land;
    post(JSON.stringify(view));
  }
  function api(command, value) {
    if (command == "consent") {
      ok = !!value;
      if (ok) { if (!sent) page(); }
      else { cookie("", 0); try { w.sessionStorage.removeItem("sp_land"); } catch (e) {} }
    } else if (command == "page") page();
  }
  w.silverplatter = api;
  for (var i = 0; i < queued.length; i++) api.apply(null, queued[i]);
  if (!sent) page();
})(window, document, navigator);
