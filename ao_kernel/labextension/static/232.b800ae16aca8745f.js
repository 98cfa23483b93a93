"use strict";(self.rspackChunkao_kernel=self.rspackChunkao_kernel||[]).push([[232],{934(o,r,e){var a=e(384),t=e.n(a),n=e(721),p=(e.n(n))()(t());p.push([o.id,`/*
 * ao-kernel: AO output cards and the AO side panel.
 * --jp-* variables for colours (ANSI magenta aside), so both the light and the dark
 * theme read well.
 */

.jp-AORenderer {
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  color: var(--jp-content-font-color1);
  padding: 2px 0;
}

.jp-AO-card {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-left: 3px solid var(--jp-brand-color1);
  border-radius: 3px;
  background: var(--jp-layout-color0);
  padding: 4px 8px;
  max-width: 100%;
  overflow-x: auto;
}

.jp-AO-card.jp-AO-hasError {
  border-left-color: var(--jp-error-color1);
  background: var(--jp-rendermime-error-background, var(--jp-layout-color0));
}

.jp-AO-header {
  display: flex;
  flex-wrap: wrap;
  align-items: baseline;
  gap: 8px;
  margin-bottom: 4px;
  color: var(--jp-ui-font-color2);
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
}

.jp-AO-badge {
  background: var(--jp-brand-color1);
  color: var(--jp-ui-inverse-font-color0);
  border-radius: 2px;
  padding: 0 5px;
  font-weight: 600;
  text-transform: uppercase;
  font-size: var(--jp-ui-font-size0);
  letter-spacing: 0.04em;
}

/* the muted header is too light on the pink error background */
.jp-AO-hasError > .jp-AO-header {
  color: var(--jp-ui-font-color1);
}

.jp-AO-hasError > .jp-AO-header > .jp-AO-badge {
  background: var(--jp-error-color1);
}

.jp-AO-table {
  border-collapse: collapse;
  margin: 4px 0;
}

.jp-AO-table th,
.jp-AO-table td {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  padding: 2px 6px;
  text-align: left;
  vertical-align: top;
  color: var(--jp-content-font-color1);
}

.jp-AO-table th {
  background: var(--jp-layout-color2);
  font-weight: 600;
  white-space: nowrap;
}

.jp-AO-output {
  margin: 2px 0 4px;
  padding: 2px 4px;
  white-space: pre-wrap;
  word-break: break-word;
  font-family: var(--jp-code-font-family);
  color: var(--jp-content-font-color1);
  background: transparent;
}

.jp-AO-error {
  color: var(--jp-error-color0);
  font-weight: 600;
}

/* error-color1 is under 4.5:1 on both backgrounds: the darker shade on light themes,
   the lighter one on dark themes */
[data-jp-theme-light='false'] .jp-AO-error {
  color: var(--jp-error-color2);
}

pre.jp-AO-output.jp-AO-error {
  border-left: 3px solid var(--jp-error-color1);
  background: var(--jp-layout-color1);
}

/* success-color1 is under 4.5:1 on white: the darker shade on light themes */
.jp-AO-ok {
  color: var(--jp-success-color0);
  font-weight: 600;
}

[data-jp-theme-light='false'] .jp-AO-ok {
  color: var(--jp-success-color1);
}

.jp-AO-meta,
.jp-AO-prompt {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

/* what came back to you: plain, visible, never folded */
.jp-AO-replies {
  margin: 2px 0 4px;
  padding: 2px 6px;
  border-left: 3px solid var(--jp-brand-color1);
  background: var(--jp-layout-color2);
  font-family: var(--jp-code-font-family);
  color: var(--jp-content-font-color1);
}

.jp-AO-repliesTitle {
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
  font-weight: 600;
  color: var(--jp-ui-font-color1);
}

.jp-AO-reply > span {
  margin-right: 6px;
}

.jp-AO-replyTo {
  font-weight: 600;
  color: var(--jp-ui-font-color1);
}

.jp-AO-replyAction {
  color: var(--jp-ui-font-color1);
}

.jp-AO-replyAction::before {
  content: '[';
}

.jp-AO-replyAction::after {
  content: ']';
}

.jp-AO-section > summary {
  cursor: pointer;
  color: var(--jp-ui-font-color1);
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
  margin-top: 2px;
}

/* copyable IDs */
.jp-AO-id {
  cursor: copy;
  white-space: nowrap;
  border-radius: 2px;
  padding: 0 2px;
}

.jp-AO-id code {
  font-family: var(--jp-code-font-family);
  color: var(--jp-content-link-color);
  background: transparent;
}

.jp-AO-id:hover,
.jp-AO-id:focus {
  background: var(--jp-layout-color2);
  outline: none;
}

/* a copy glyph drawn with borders (no icon font needed): two overlapping squares */
.jp-AO-copyMark {
  display: inline-block;
  position: relative;
  width: 7px;
  height: 8px;
  margin: 0 2px 0 4px;
  border: 1px solid var(--jp-ui-font-color3);
  border-radius: 1px;
  vertical-align: -1px;
}

.jp-AO-copyMark::after {
  content: '';
  position: absolute;
  left: -4px;
  top: -4px;
  width: 7px;
  height: 8px;
  border-left: 1px solid var(--jp-ui-font-color3);
  border-top: 1px solid var(--jp-ui-font-color3);
}

.jp-AO-id.jp-mod-copied .jp-AO-copyMark,
.jp-AO-id.jp-mod-copied .jp-AO-copyMark::after {
  border-color: var(--jp-success-color1);
  background: var(--jp-success-color1);
}

.jp-AO-id.jp-mod-copyFailed .jp-AO-copyMark,
.jp-AO-id.jp-mod-copyFailed .jp-AO-copyMark::after {
  border-color: var(--jp-error-color1);
}

.jp-AO-empty {
  color: var(--jp-ui-font-color3);
}

/* ANSI colours of aos output, from the theme's palettes and readable on its backgrounds
   (WCAG AA, checked by tests/ui/test_lab.py in both themes). Light themes: the dark
   shades (--jp-*-color0), bright = the middle shade darkened; dark themes: the light
   shades (color2), bright = the lightest (color3). Magenta has no --jp-* palette:
   JupyterLab's own ANSI magenta (#a03196), lightened on dark themes. */
.jp-AO-ansi-black { color: var(--jp-content-font-color0); }
.jp-AO-ansi-red { color: var(--jp-error-color0); }
.jp-AO-ansi-green { color: var(--jp-success-color0); }
.jp-AO-ansi-yellow { color: color-mix(in srgb, var(--jp-warn-color0) 80%, #000); }
.jp-AO-ansi-blue { color: var(--jp-brand-color0); }
.jp-AO-ansi-magenta { color: #a03196; }
.jp-AO-ansi-cyan { color: var(--jp-info-color0); }
.jp-AO-ansi-white { color: var(--jp-content-font-color2); }
.jp-AO-ansi-bright-black { color: var(--jp-content-font-color2); }
.jp-AO-ansi-bright-red { color: color-mix(in srgb, var(--jp-error-color1) 70%, #000); }
.jp-AO-ansi-bright-green { color: color-mix(in srgb, var(--jp-success-color1) 70%, #000); }
.jp-AO-ansi-bright-yellow { color: color-mix(in srgb, var(--jp-warn-color1) 65%, #000); }
.jp-AO-ansi-bright-blue { color: color-mix(in srgb, var(--jp-brand-color1) 80%, #000); }
.jp-AO-ansi-bright-magenta { color: #8e2686; }
.jp-AO-ansi-bright-cyan { color: color-mix(in srgb, var(--jp-info-color1) 65%, #000); }
.jp-AO-ansi-bright-white { color: var(--jp-content-font-color1); }
[data-jp-theme-light='false'] .jp-AO-ansi-black { color: var(--jp-content-font-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-red { color: var(--jp-error-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-green { color: var(--jp-success-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-yellow { color: var(--jp-warn-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-blue { color: var(--jp-brand-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-magenta { color: #da80d0; }
[data-jp-theme-light='false'] .jp-AO-ansi-cyan { color: var(--jp-info-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-white { color: var(--jp-content-font-color0); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-black { color: var(--jp-content-font-color2); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-red { color: var(--jp-error-color3); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-green { color: var(--jp-success-color3); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-yellow { color: var(--jp-warn-color3); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-blue { color: var(--jp-brand-color3); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-magenta { color: #f0b8ea; }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-cyan { color: var(--jp-info-color3); }
[data-jp-theme-light='false'] .jp-AO-ansi-bright-white { color: var(--jp-content-font-color0); }
.jp-AO-ansi-bold { font-weight: bold; }

/* the message graph */
.jp-AO-graphSvg {
  display: block;
  max-width: 100%;
  height: auto;
}

.jp-AO-graphNode circle {
  fill: var(--jp-brand-color3);
  stroke: var(--jp-brand-color1);
  stroke-width: 2;
}

.jp-AO-graphNode text {
  fill: var(--jp-content-font-color1);
  font-family: var(--jp-code-font-family);
  font-size: 10px;
}

.jp-AO-graphEdge {
  fill: none;
  stroke: var(--jp-content-font-color2);
  stroke-width: 1.5;
}

.jp-AO-graphArrow {
  fill: var(--jp-content-font-color2);
}

/* the side panel */
.jp-AOPanel {
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1);
  padding: 6px 8px;
  overflow-y: auto;
  min-width: 240px;
}

.jp-AOPanel-header {
  display: flex;
  align-items: center;
  justify-content: space-between;
}

.jp-AOPanel-header h2 {
  font-size: var(--jp-ui-font-size2);
  margin: 4px 0;
  font-weight: 600;
}

.jp-AOPanel-status {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  margin-bottom: 6px;
}

.jp-AOPanel[data-status='error'] .jp-AOPanel-status {
  color: var(--jp-error-color1);
}

.jp-AOPanel-node {
  color: var(--jp-ui-font-color2);
  margin-bottom: 4px;
}

.jp-AOPanel-list {
  list-style: none;
  margin: 0;
  padding: 0;
}

.jp-AOPanel-process {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-left: 3px solid var(--jp-border-color1);
  border-radius: 3px;
  background: var(--jp-layout-color0);
  padding: 4px 6px;
  margin-bottom: 6px;
}

.jp-AOPanel-process.jp-mod-current {
  border-left-color: var(--jp-brand-color1);
}

.jp-AOPanel-row {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
}

.jp-AOPanel-name {
  font-weight: 600;
}

.jp-AOPanel-slot {
  color: var(--jp-ui-font-color2);
}

.jp-AOPanel-timeline,
.jp-AOPanel-refresh {
  margin-left: auto;
  font-size: var(--jp-ui-font-size0);
  padding: 1px 6px;
  cursor: pointer;
  color: var(--jp-ui-font-color1);
  background: var(--jp-layout-color2);
  border: var(--jp-border-width) solid var(--jp-border-color1);
  border-radius: 2px;
}

.jp-AOPanel-timeline:hover,
.jp-AOPanel-refresh:hover {
  background: var(--jp-layout-color3);
}

.jp-AOPanel-output {
  margin: 4px 0 0;
  padding: 2px 4px;
  max-height: 8em;
  overflow: auto;
  white-space: pre-wrap;
  word-break: break-word;
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  background: var(--jp-layout-color1);
  color: var(--jp-content-font-color1);
}

.jp-AOPanel-empty {
  color: var(--jp-ui-font-color2);
  font-style: italic;
}
`,""]),e.d(r,{},{A:p})},721(o){o.exports=function(o){var r=[];return r.toString=function(){return this.map(function(r){var e="",a=void 0!==r[5];return r[4]&&(e+="@supports (".concat(r[4],") {")),r[2]&&(e+="@media ".concat(r[2]," {")),a&&(e+="@layer".concat(r[5].length>0?" ".concat(r[5]):""," {")),e+=o(r),a&&(e+="}"),r[2]&&(e+="}"),r[4]&&(e+="}"),e}).join("")},r.i=function(o,e,a,t,n){"string"==typeof o&&(o=[[null,o,void 0]]);var p={};if(a)for(var l=0;l<this.length;l++){var i=this[l][0];null!=i&&(p[i]=!0)}for(var c=0;c<o.length;c++){var s=[].concat(o[c]);a&&p[s[0]]||(void 0!==n&&(void 0===s[5]||(s[1]="@layer".concat(s[5].length>0?" ".concat(s[5]):""," {").concat(s[1],"}")),s[5]=n),e&&(s[2]&&(s[1]="@media ".concat(s[2]," {").concat(s[1],"}")),s[2]=e),t&&(s[4]?(s[1]="@supports (".concat(s[4],") {").concat(s[1],"}"),s[4]=t):s[4]="".concat(t)),r.push(s))}},r}},384(o){o.exports=function(o){return o[1]}},681(o){var r=[];function e(o){for(var e=-1,a=0;a<r.length;a++)if(r[a].identifier===o){e=a;break}return e}function a(o,a){for(var t={},n=[],p=0;p<o.length;p++){var l=o[p],i=a.base?l[0]+a.base:l[0],c=t[i]||0,s="".concat(i," ").concat(c);t[i]=c+1;var d=e(s),j={css:l[1],media:l[2],sourceMap:l[3],supports:l[4],layer:l[5]};if(-1!==d)r[d].references++,r[d].updater(j);else{var f=function(o,r){var e=r.domAPI(r);return e.update(o),function(r){r?(r.css!==o.css||r.media!==o.media||r.sourceMap!==o.sourceMap||r.supports!==o.supports||r.layer!==o.layer)&&e.update(o=r):e.remove()}}(j,a);a.byIndex=p,r.splice(p,0,{identifier:s,updater:f,references:1})}n.push(s)}return n}o.exports=function(o,t){var n=a(o=o||[],t=t||{});return function(o){o=o||[];for(var p=0;p<n.length;p++){var l=e(n[p]);r[l].references--}for(var i=a(o,t),c=0;c<n.length;c++){var s=e(n[c]);0===r[s].references&&(r[s].updater(),r.splice(s,1))}n=i}}},894(o){var r={};o.exports=function(o,e){var a=function(o){if(void 0===r[o]){var e=document.querySelector(o);if(window.HTMLIFrameElement&&e instanceof window.HTMLIFrameElement)try{e=e.contentDocument.head}catch(o){e=null}r[o]=e}return r[o]}(o);if(!a)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");a.appendChild(e)}},101(o){o.exports=function(o){var r=document.createElement("style");return o.setAttributes(r,o.attributes),o.insert(r,o.options),r}},377(o,r,e){o.exports=function(o){var r=e.nc;r&&o.setAttribute("nonce",r)}},102(o){o.exports=function(o){if("u"<typeof document)return{update:function(){},remove:function(){}};var r=o.insertStyleElement(o);return{update:function(e){var a,t,n;a="",e.supports&&(a+="@supports (".concat(e.supports,") {")),e.media&&(a+="@media ".concat(e.media," {")),(t=void 0!==e.layer)&&(a+="@layer".concat(e.layer.length>0?" ".concat(e.layer):""," {")),a+=e.css,t&&(a+="}"),e.media&&(a+="}"),e.supports&&(a+="}"),(n=e.sourceMap)&&"u">typeof btoa&&(a+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(n))))," */")),o.styleTagTransform(a,r,o.options)},remove:function(){var o;null===(o=r).parentNode||o.parentNode.removeChild(o)}}}},842(o){o.exports=function(o,r){if(r.styleSheet)r.styleSheet.cssText=o;else{for(;r.firstChild;)r.removeChild(r.firstChild);r.appendChild(document.createTextNode(o))}}},579(o,r,e){var a=e(681),t=e.n(a),n=e(102),p=e.n(n),l=e(894),i=e.n(l),c=e(377),s=e.n(c),d=e(101),j=e.n(d),f=e(842),u=e.n(f),h=e(934),v={};v.styleTagTransform=u(),v.setAttributes=s(),v.insert=i().bind(null,"head"),v.domAPI=p(),v.insertStyleElement=j(),t()(h.A,v),h.A&&h.A.locals&&h.A.locals}}]);