// Material runs its search in a Web Worker, and a page opened from disk (file://) may not start
// one. Where that is so, this runs the same worker script in a hidden frame of the page and
// speaks to it with the Worker interface (postMessage, "message" events), so that search works
// on a site copied to a USB stick or a shared drive. Nothing is loaded from another host. The
// file name contains "iframe-worker": Material's offline plugin then adds no copy from unpkg.com.
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  class FrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.queue = [];
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      this.frame.setAttribute("aria-hidden", "true");
      this.frame.setAttribute("tabindex", "-1");
      this.frame.title = "search";
      (document.body || document.documentElement).appendChild(this.frame);
      const inner = this.frame.contentWindow;
      // The worker's replies come here; copies, so that no object crosses between the two realms.
      inner.postMessage = (data) => {
        this.dispatchEvent(new MessageEvent("message", { data: JSON.parse(JSON.stringify(data)) }));
      };
      inner.importScripts = () => { throw new Error("importScripts is not available from disk"); };
      const script = inner.document.createElement("script");
      script.src = new URL(url, location.href).href;
      script.onload = () => {
        this.ready = true;
        this.queue.splice(0).forEach((data) => this.postMessage(data));
      };
      inner.document.head.appendChild(script);
    }

    postMessage(data) {
      if (!this.ready) {
        this.queue.push(data);
        return;
      }
      const inner = this.frame.contentWindow;
      const copy = inner.JSON.parse(JSON.stringify(data));
      inner.dispatchEvent(new inner.MessageEvent("message", { data: copy }));
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.Worker = FrameWorker;
})();
