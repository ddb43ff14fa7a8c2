// Focus areas (骨科, 血透 …) recognised from the words of a tip, for routing to specialised teams.
import type { FocusArea } from "./taxonomy";

const KEYWORDS: Record<FocusArea, RegExp> = {
  orthopaedics: /骨科|关节|脊柱|骨折|骨水泥|椎间盘|orthop/i,
  dialysis: /透析|血透|血液净化|血液灌流|dialys/i,
  cardiology: /心内|心血管|支架|冠脉|冠状动脉|起搏器|心脏介入|cardi/i,
  imaging: /\bCT\b|核磁|MRI|彩超|B超|影像|放射科|imaging/i,
  laboratory: /化验|检验|生化|血常规|laborator/i,
  rehabilitation: /康复|理疗|针灸|推拿|艾灸|拔罐|rehab|physiother/i,
  oncology: /肿瘤|化疗|放疗|靶向药|oncolog|chemother/i,
  ophthalmology: /眼科|白内障|晶体|青光眼|ophthalm|cataract/i,
  dental: /口腔|牙科|种植牙|拔牙|dental/i,
  general_surgery: /普外|阑尾|疝气|胆囊切除|general surgery/i,
  neurology: /神经内科|脑梗|卒中|中风|neurolog|stroke/i,
};

export function detectFocusAreas(text: string): FocusArea[] {
  return (Object.keys(KEYWORDS) as FocusArea[]).filter((area) => KEYWORDS[area].test(text));
}
